// Package scaleout holds the tests that run the real hogpipe binary (built
// by the test) against real brokers: the scale-out tests, where several
// processes share one durable consumer or consumer group and one Redis
// state and one of them is killed midway, and runs of the broker example
// configs. Its benchmarks time whole broker pipelines in-process. It has no
// code of its own; the tests are the package.
package scaleout
