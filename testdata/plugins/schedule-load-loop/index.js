while (true) {}

export function runEveryMinute() {}
