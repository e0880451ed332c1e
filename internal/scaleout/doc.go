// Package scaleout holds the scale-out tests: several hogpipe processes
// (the real binary, built by the test) sharing one durable consumer or
// consumer group and one Redis state, one of them killed midway. It has no
// code of its own; the tests are the package.
package scaleout
