module.exports = { processEvent: (event) => event }
