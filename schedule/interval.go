// Package schedule runs a plugin instance's scheduled tasks (runEveryMinute,
// runEveryHour, runEveryDay) and its jobs (meta.jobs) without knowing
// Benthos: tick computation, claims so that every tick runs once per
// cluster, debouncing leases, catch-up of a tick missed while no process ran,
// and the durable job queue. State lives behind small interfaces that the
// state package implements over Redis, bbolt and process memory; time comes
// from an injectable Clock, so tests use virtual time.
package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// The scheduled tasks a plugin may export, with the schedules of the
// original plugin server (UTC).
const (
	TaskEveryMinute = "runEveryMinute"
	TaskEveryHour   = "runEveryHour"
	TaskEveryDay    = "runEveryDay"
)

// DefaultIntervals are the schedules of the tasks unless configured otherwise.
var DefaultIntervals = map[string]string{
	TaskEveryMinute: "* * * * *",
	TaskEveryHour:   "0 * * * *",
	TaskEveryDay:    "0 0 * * *",
}

// TaskNames are the scheduled task names in their documentation order.
func TaskNames() []string {
	return []string{TaskEveryMinute, TaskEveryHour, TaskEveryDay}
}

// Interval is when a task's ticks fall: a fixed duration or a cron schedule.
//
// A tick is identified by its scheduled time, which every process computes
// the same way whenever it started: for a duration d, the multiples of d
// since the Unix epoch (floor(unix time / d)); for a cron expression, its fire
// times. "@every d" is treated as the duration d (robfig/cron would count it
// from whenever the process started).
type Interval struct {
	text  string
	every time.Duration
	cron  cron.Schedule
}

// cronParser accepts what Benthos' generate input accepts: five or six
// fields (seconds optional), descriptors (@hourly) and a TZ= prefix.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour |
	cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseInterval reads a duration ("10s", "1m") or a cron expression ("* * * *
// *", "0,30 */2 * * * *", "TZ=Europe/London 30 3 * * *", "@hourly"). Cron
// expressions without a TZ= prefix are in UTC, as in Benthos' generate input.
func ParseInterval(s string) (Interval, error) {
	text := strings.TrimSpace(s)
	if text == "" {
		return Interval{}, fmt.Errorf("empty interval")
	}
	d, durErr := time.ParseDuration(text)
	if durErr == nil {
		if d < time.Second {
			return Interval{}, fmt.Errorf("interval %q: a duration must be at least 1s", s)
		}
		return Interval{text: text, every: d}, nil
	}
	if rest, ok := strings.CutPrefix(text, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil || d < time.Second {
			return Interval{}, fmt.Errorf("interval %q: @every needs a duration of at least 1s", s)
		}
		return Interval{text: text, every: d}, nil
	}
	expr := text
	if !strings.HasPrefix(expr, "TZ=") && !strings.HasPrefix(expr, "CRON_TZ=") {
		expr = "TZ=UTC " + expr
	}
	sched, err := cronParser.Parse(expr)
	if err != nil {
		return Interval{}, fmt.Errorf("interval %q is neither a duration (%v) nor a cron expression: %w", s, durErr, err)
	}
	return Interval{text: text, cron: sched}, nil
}

// MustParseInterval is ParseInterval for intervals known to be valid.
func MustParseInterval(s string) Interval {
	iv, err := ParseInterval(s)
	if err != nil {
		panic(err)
	}
	return iv
}

// String is the interval as configured.
func (iv Interval) String() string { return iv.text }

// IsZero reports whether iv was never parsed.
func (iv Interval) IsZero() bool { return iv.every == 0 && iv.cron == nil }

// Next is the first tick strictly after t; the zero time when a cron
// schedule never fires again (within five years).
func (iv Interval) Next(t time.Time) time.Time {
	if iv.every > 0 {
		return iv.floor(t).Add(iv.every)
	}
	return iv.cron.Next(t).UTC()
}

// Prev is the last tick at or before t; the zero time when a cron schedule
// did not fire within the five years before t.
func (iv Interval) Prev(t time.Time) time.Time {
	if iv.every > 0 {
		return iv.floor(t)
	}
	// cron has no Prev: look back over growing windows until one holds a
	// fire time, then walk forwards to the last one at or before t. The
	// windows keep the walk short for any schedule.
	for _, back := range []time.Duration{
		time.Minute, time.Hour, 24 * time.Hour, 8 * 24 * time.Hour,
		32 * 24 * time.Hour, 367 * 24 * time.Hour, 5 * 366 * 24 * time.Hour,
	} {
		n := iv.cron.Next(t.Add(-back - time.Nanosecond))
		if n.IsZero() || n.After(t) {
			continue
		}
		for {
			after := iv.cron.Next(n)
			if after.IsZero() || after.After(t) {
				return n.UTC()
			}
			n = after
		}
	}
	return time.Time{}
}

// Period is the time from tick to the tick after it.
func (iv Interval) Period(tick time.Time) time.Duration {
	if iv.every > 0 {
		return iv.every
	}
	n := iv.Next(tick)
	if n.IsZero() {
		return 0
	}
	return n.Sub(tick)
}

// floor is the multiple of iv.every since the Unix epoch at or before t.
func (iv Interval) floor(t time.Time) time.Time {
	ns := t.UnixNano()
	d := int64(iv.every)
	q := ns / d
	if ns%d < 0 {
		q--
	}
	return time.Unix(0, q*d).UTC()
}
