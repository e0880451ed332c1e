// Package mockclient holds the franz-go options a client needs to work with
// librdkafka's mock cluster (see package kafkamock). It has no cgo, so the
// replicas that tests build as separate binaries can use it.
package mockclient

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// SessionTimeout is the group session of the test clients: a member that
// stops heartbeating leaves the group after it.
const SessionTimeout = 6 * time.Second

// Opts returns the options for the mock:
//
//   - protocol versions capped at Kafka 2.1: the mock advertises newer
//     versions of some requests than it decodes;
//   - the group leader waits before sending its SyncGroup: the mock ends a
//     sync round as soon as the leader's assignments arrive and then answers
//     the followers' SyncGroup with INVALID_REQUEST, so a follower would never
//     get partitions. Giving the followers' requests time to arrive first
//     makes the round complete as on a real broker;
//   - short session and heartbeat timings, so rebalances in tests take
//     seconds rather than the default 45s;
//   - a short fetch wait: the mock holds a fetch at the end of a partition
//     for the whole wait, even when records arrive meanwhile.
func Opts() []kgo.Opt {
	return []kgo.Opt{
		kgo.MaxVersions(kversion.V2_1_0()),
		kgo.Balancers(leaderSyncsLast{kgo.CooperativeStickyBalancer()}),
		kgo.SessionTimeout(SessionTimeout),
		kgo.HeartbeatInterval(500 * time.Millisecond),
		kgo.RebalanceTimeout(10 * time.Second),
		kgo.FetchMaxWait(50 * time.Millisecond),
	}
}

// leaderSyncDelay is how long the leader waits; followers send their
// SyncGroup as soon as they get the JoinGroup answer, sent at the same time.
const leaderSyncDelay = 300 * time.Millisecond

type leaderSyncsLast struct{ kgo.GroupBalancer }

// MemberBalancer is only called on the leader, right before its SyncGroup.
func (b leaderSyncsLast) MemberBalancer(members []kmsg.JoinGroupResponseMember) (kgo.GroupMemberBalancer, map[string]struct{}, error) {
	time.Sleep(leaderSyncDelay)
	return b.GroupBalancer.MemberBalancer(members)
}

// Committed fetches a group's committed offsets for the partitions of a
// topic (-1 where nothing is committed) with a plain OffsetFetch request:
// kadm's sharded fetch reads -1 from the mock.
func Committed(ctx context.Context, cl *kgo.Client, group, topic string, partitions ...int32) (map[int32]int64, error) {
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic = topic
	rt.Partitions = partitions
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("fetch offsets of group %s: %w", group, err)
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, fmt.Errorf("fetch offsets of group %s: %w", group, err)
	}
	out := map[int32]int64{}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return nil, fmt.Errorf("fetch offset of group %s, %s/%d: %w", group, t.Topic, p.Partition, err)
			}
			out[p.Partition] = p.Offset
		}
	}
	return out, nil
}
