(function (module, exports, require, host) {
  'use strict'
  function refused(name) {
    return function () {
      throw new TypeError(`os: ${name} is not supported by hogpipe (plugins get no details of the host)`)
    }
  }
  const os = {
    EOL: '\n',
    devNull: '/dev/null',
    platform: () => 'linux',
    type: () => 'Linux',
    arch: () => host.arch,
    endianness: () => 'LE',
    tmpdir: () => '/tmp',
  }
  for (const name of ['hostname', 'homedir', 'userInfo', 'networkInterfaces', 'cpus', 'totalmem', 'freemem', 'uptime', 'loadavg', 'release', 'version', 'machine', 'availableParallelism', 'getPriority', 'setPriority']) {
    os[name] = refused(name)
  }
  module.exports = os
})
