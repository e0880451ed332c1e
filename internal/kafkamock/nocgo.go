//go:build !cgo

package kafkamock

import "testing"

// Cluster is a running mock cluster.
type Cluster struct{}

// Start fails the test: the mock cluster is librdkafka's, linked with cgo.
// The Kafka tests must not pass by skipping.
func Start(t testing.TB, _ int) *Cluster {
	t.Helper()
	t.Fatal("the Kafka tests need cgo for librdkafka's mock cluster: build with CGO_ENABLED=1 and a C compiler (gcc)")
	return nil
}

// Brokers is never reached without cgo.
func (*Cluster) Brokers() []string { return nil }

// CreateTopic is never reached without cgo.
func (*Cluster) CreateTopic(testing.TB, string, int) {}

// SetBrokerDown is never reached without cgo.
func (*Cluster) SetBrokerDown(int) error { return nil }

// SetBrokerUp is never reached without cgo.
func (*Cluster) SetBrokerUp(int) error { return nil }
