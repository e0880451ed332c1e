//go:build cgo

// Package kafkamock starts librdkafka's mock Kafka cluster for tests. The
// mock speaks the Kafka protocol over TCP, so franz-go clients talk to it as
// to a broker, with the options of package mockclient. It needs cgo
// (librdkafka is bundled with confluent-kafka-go): import it from _test.go
// files only, so hogpipe's binary builds without cgo. Without cgo, Start
// fails the test.
package kafkamock

import (
	"fmt"
	"strings"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Cluster is a running mock cluster.
type Cluster struct {
	mc *kafka.MockCluster
}

// Start starts a mock cluster of brokers brokers and stops it when the test
// ends.
func Start(t testing.TB, brokers int) *Cluster {
	t.Helper()
	mc, err := kafka.NewMockCluster(brokers)
	if err != nil {
		t.Fatalf("start the librdkafka mock cluster: %v", err)
	}
	t.Cleanup(mc.Close)
	return &Cluster{mc: mc}
}

// Brokers lists the brokers' addresses.
func (c *Cluster) Brokers() []string { return strings.Split(c.mc.BootstrapServers(), ",") }

// CreateTopic creates a topic of partitions partitions. The mock answers
// CreateTopics requests of clients poorly, so topics are made here.
func (c *Cluster) CreateTopic(t testing.TB, topic string, partitions int) {
	t.Helper()
	if err := c.mc.CreateTopic(topic, partitions, 1); err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
}

// SetBrokerDown makes broker id (1-based) drop its connections and refuse
// new ones.
func (c *Cluster) SetBrokerDown(id int) error {
	if err := c.mc.SetBrokerDown(id); err != nil {
		return fmt.Errorf("set broker %d down: %w", id, err)
	}
	return nil
}

// SetBrokerUp brings broker id back.
func (c *Cluster) SetBrokerUp(id int) error {
	if err := c.mc.SetBrokerUp(id); err != nil {
		return fmt.Errorf("set broker %d up: %w", id, err)
	}
	return nil
}
