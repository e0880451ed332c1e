package logonce

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/hogpipe/hogpipe/internal/testutil"
)

func TestCause(t *testing.T) {
	for _, c := range []struct{ name, err, want string }{
		{"nil", "", ""},
		{"address and port", `plugin "pg": exportEvents: RetryError: connect ECONNREFUSED 10.0.0.5:5432`, `plugin "pg": exportEvents: RetryError: connect ECONNREFUSED #.#.#.#:#`},
		{"durations", "timed out after 1503ms", "timed out after #ms"},
		{"uuid", "event 0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b rejected", "event <id> rejected"},
		{"hex id", "request a1b2c3d4e5f60718 failed", "request <id> failed"},
		{"hex digits only", "batch 12345678 failed", "batch # failed"},
		{"hex letters kept", "deadbeefcafe is not an id", "deadbeefcafe is not an id"},
		{"short hex word kept", "bad face 5", "bad face #"},
		{"sqlstate", `relation "events" does not exist (SQLSTATE 42P01)`, `relation "events" does not exist (SQLSTATE #P#)`},
		{"code without digits", "NoSuchBucket: The specified bucket does not exist", "NoSuchBucket: The specified bucket does not exist"},
		{"white space", "a \n\t b  ", "a b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.err != "" {
				err = errors.New(c.err)
			}
			assert.Equal(t, c.want, Cause(err))
		})
	}
	assert.Equal(t, strings.Repeat("x", 300), Cause(errors.New(strings.Repeat("x", 1000)+"tail")), "a long text is cut")
}

// clock is a settable time for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestLog(opts Options) (*Log, *testutil.Logger, *clock) {
	logger := &testutil.Logger{}
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	opts.Now = c.now
	return New(logger, opts), logger, c
}

func TestLogRules(t *testing.T) {
	down := errors.New("connect ECONNREFUSED 127.0.0.1:5432 (attempt 1)")
	down2 := errors.New("connect ECONNREFUSED 127.0.0.1:5432 (attempt 2)")
	missing := errors.New("relation \"events\" does not exist")
	type step struct {
		do   func(l *Log, c *clock)
		want []string // lines logged by this step
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"first at its level, repeats at debug", []step{
			{func(l *Log, _ *clock) { l.Failed(Warn, "exportEvents", down, "%v; retrying", down) }, []string{"WARN connect ECONNREFUSED 127.0.0.1:5432 (attempt 1); retrying"}},
			{func(l *Log, _ *clock) { l.Failed(Warn, "exportEvents", down2, "%v; retrying", down2) }, []string{"DEBUG connect ECONNREFUSED 127.0.0.1:5432 (attempt 2); retrying (repeated)"}},
		}},
		{"error level", []step{
			{func(l *Log, _ *clock) { l.Failed(Error, "onEvent", down, "%v", down) }, []string{"ERROR connect ECONNREFUSED 127.0.0.1:5432 (attempt 1)"}},
			{func(l *Log, _ *clock) { l.Failed(Error, "onEvent", down, "%v", down) }, []string{"DEBUG connect ECONNREFUSED 127.0.0.1:5432 (attempt 1) (repeated)"}},
		}},
		{"another cause is new", []step{
			{func(l *Log, _ *clock) { l.Failed(Warn, "exportEvents", down, "%v", down) }, []string{"WARN connect ECONNREFUSED 127.0.0.1:5432 (attempt 1)"}},
			{func(l *Log, _ *clock) { l.Failed(Warn, "exportEvents", missing, "%v", missing) }, []string{`WARN relation "events" does not exist`}},
		}},
		{"another scope is new", []step{
			{func(l *Log, _ *clock) { l.Failed(Warn, "exportEvents", down, "%v", down) }, []string{"WARN connect ECONNREFUSED 127.0.0.1:5432 (attempt 1)"}},
			{func(l *Log, _ *clock) { l.Failed(Warn, "onEvent", down, "%v", down) }, []string{"WARN connect ECONNREFUSED 127.0.0.1:5432 (attempt 1)"}},
		}},
		{"summary after the period", []step{
			{func(l *Log, _ *clock) { l.Failed(Warn, "exportEvents", down, "%v", down) }, []string{"WARN connect ECONNREFUSED 127.0.0.1:5432 (attempt 1)"}},
			{func(l *Log, c *clock) { c.advance(time.Minute); l.Failed(Warn, "exportEvents", down, "%v", down) }, []string{"DEBUG connect ECONNREFUSED 127.0.0.1:5432 (attempt 1) (repeated)"}},
			{func(l *Log, c *clock) { c.advance(time.Minute); l.Failed(Warn, "exportEvents", down2, "%v", down2) }, []string{"DEBUG connect ECONNREFUSED 127.0.0.1:5432 (attempt 2) (repeated)"}},
			{func(l *Log, c *clock) { c.advance(3 * time.Minute); l.Failed(Warn, "exportEvents", down2, "%v", down2) }, []string{"WARN connect ECONNREFUSED 127.0.0.1:5432 (attempt 2) (repeated 3 times in the last 5m0s)"}},
			{func(l *Log, c *clock) { c.advance(time.Minute); l.Failed(Warn, "exportEvents", down2, "%v", down2) }, []string{"DEBUG connect ECONNREFUSED 127.0.0.1:5432 (attempt 2) (repeated)"}},
		}},
		{"recovery", []step{
			{func(l *Log, _ *clock) { l.Recovered(`plugin "pg": exportEvents`) }, nil},
			{func(l *Log, _ *clock) { l.Failed(Warn, `plugin "pg": exportEvents`, down, "%v", down) }, []string{"WARN connect ECONNREFUSED 127.0.0.1:5432 (attempt 1)"}},
			{func(l *Log, c *clock) {
				c.advance(90 * time.Second)
				l.Failed(Warn, `plugin "pg": exportEvents`, down, "%v", down)
			}, []string{"DEBUG connect ECONNREFUSED 127.0.0.1:5432 (attempt 1) (repeated)"}},
			{func(l *Log, _ *clock) { l.Recovered(`plugin "pg": exportEvents`) }, []string{`INFO plugin "pg": exportEvents recovered after 2 failures in 1m30s`}},
			{func(l *Log, _ *clock) { l.Recovered(`plugin "pg": exportEvents`) }, nil},
			{func(l *Log, _ *clock) { l.Failed(Warn, `plugin "pg": exportEvents`, down, "%v", down) }, []string{"WARN connect ECONNREFUSED 127.0.0.1:5432 (attempt 1)"}},
			{func(l *Log, _ *clock) { l.Recovered(`plugin "pg": exportEvents`) }, []string{`INFO plugin "pg": exportEvents recovered after 1 failure in 0s`}},
		}},
		{"flush", []step{
			{func(l *Log, _ *clock) { l.Failed(Warn, "exportEvents", down, "%v", down) }, []string{"WARN connect ECONNREFUSED 127.0.0.1:5432 (attempt 1)"}},
			{func(l *Log, _ *clock) { l.Flush() }, nil},
			{func(l *Log, c *clock) { c.advance(time.Second); l.Failed(Warn, "exportEvents", down, "%v", down) }, []string{"DEBUG connect ECONNREFUSED 127.0.0.1:5432 (attempt 1) (repeated)"}},
			{func(l *Log, c *clock) { c.advance(time.Second); l.Flush() }, []string{"WARN connect ECONNREFUSED 127.0.0.1:5432 (attempt 1) (repeated once in the last 2s)"}},
			{func(l *Log, _ *clock) { l.Flush() }, nil},
		}},
		{"bounded causes", []step{
			{func(l *Log, _ *clock) { l.Failed(Warn, "s", errors.New("a"), "a") }, []string{"WARN a"}},
			{func(l *Log, _ *clock) { l.Failed(Warn, "s", errors.New("a"), "a") }, []string{"DEBUG a (repeated)"}},
			{func(l *Log, _ *clock) { l.Failed(Warn, "s", errors.New("b"), "b") }, []string{"WARN b"}},
			{func(l *Log, _ *clock) { l.Failed(Warn, "s", errors.New("c"), "c") }, []string{"WARN a (repeated once in the last 0s)", "WARN c"}},
			{func(l *Log, _ *clock) { l.Failed(Warn, "s", errors.New("a"), "a") }, []string{"WARN a"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, logger, c := newTestLog(Options{Every: 5 * time.Minute, MaxCauses: 2})
			seen := 0
			for i, s := range tc.steps {
				s.do(l, c)
				lines := logger.Lines()
				assert.Equal(t, s.want, nilIfEmpty(lines[seen:]), "step %d", i)
				seen = len(lines)
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestDefaults(t *testing.T) {
	l := New(&testutil.Logger{}, Options{})
	assert.Equal(t, DefaultEvery, l.every)
	assert.Equal(t, DefaultMaxCauses, l.maxCauses)
	assert.NotNil(t, l.now)
}
