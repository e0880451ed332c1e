package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestParseInterval(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"1s", "10s", "1m", "1h30m", "@every 5s", "* * * * *", "0 * * * *", "0 0 * * *",
		"*/5 * * * * *", "0,30 */2 * * * *", "@hourly", "@daily", "TZ=Europe/London 30 3-6,20-23 * * *"} {
		iv, err := ParseInterval(s)
		require.NoError(t, err, s)
		assert.Equal(t, s, iv.String())
		assert.False(t, iv.IsZero())
	}
	for s, msg := range map[string]string{
		"":                          "empty interval",
		"0s":                        "at least 1s",
		"500ms":                     "at least 1s",
		"-5s":                       "at least 1s",
		"@every 0s":                 "at least 1s",
		"@every x":                  "at least 1s",
		"every day":                 "neither a duration",
		"61 * * * *":                "neither a duration",
		"TZ=Nowhere/Land * * * * *": "neither a duration",
	} {
		_, err := ParseInterval(s)
		require.Error(t, err, s)
		assert.Contains(t, err.Error(), msg, s)
	}
	for task, s := range DefaultIntervals {
		_, err := ParseInterval(s)
		require.NoError(t, err, task)
	}
}

func TestIntervalDurationTicksAreEpochAligned(t *testing.T) {
	t.Parallel()
	iv := MustParseInterval("10s")
	// Two processes started at different moments compute the same ticks.
	a := iv.Next(utc("2024-03-01T12:00:03.5Z"))
	b := iv.Next(utc("2024-03-01T12:00:09.999Z"))
	assert.Equal(t, utc("2024-03-01T12:00:10Z"), a)
	assert.Equal(t, a, b)
	assert.Equal(t, utc("2024-03-01T12:00:20Z"), iv.Next(a), "Next is strictly after")
	assert.Equal(t, utc("2024-03-01T12:00:10Z"), iv.Prev(a), "Prev includes t")
	assert.Equal(t, utc("2024-03-01T12:00:10Z"), iv.Prev(utc("2024-03-01T12:00:19.9Z")))
	assert.Equal(t, 10*time.Second, iv.Period(a))

	// floor(unix / d) also for durations that do not divide a minute.
	iv7 := MustParseInterval("7s")
	tick := iv7.Next(utc("2024-03-01T12:00:00Z"))
	assert.Zero(t, tick.Unix()%7)
	assert.Equal(t, tick, MustParseInterval("@every 7s").Next(utc("2024-03-01T12:00:00Z")), "@every is a duration")
}

func TestIntervalCron(t *testing.T) {
	t.Parallel()
	minute := MustParseInterval(DefaultIntervals[TaskEveryMinute])
	hour := MustParseInterval(DefaultIntervals[TaskEveryHour])
	day := MustParseInterval(DefaultIntervals[TaskEveryDay])
	now := utc("2024-03-01T12:34:56.789Z")

	assert.Equal(t, utc("2024-03-01T12:35:00Z"), minute.Next(now))
	assert.Equal(t, utc("2024-03-01T12:34:00Z"), minute.Prev(now))
	assert.Equal(t, utc("2024-03-01T13:00:00Z"), hour.Next(now))
	assert.Equal(t, utc("2024-03-01T12:00:00Z"), hour.Prev(now))
	assert.Equal(t, utc("2024-03-02T00:00:00Z"), day.Next(now), "UTC midnight by default")
	assert.Equal(t, utc("2024-03-01T00:00:00Z"), day.Prev(now))
	assert.Equal(t, utc("2024-03-01T12:00:00Z"), hour.Prev(utc("2024-03-01T12:00:00Z")), "a fire time is its own Prev")
	assert.Equal(t, time.Hour, hour.Period(hour.Prev(now)))

	seconds := MustParseInterval("*/15 * * * * *")
	assert.Equal(t, utc("2024-03-01T12:35:00Z"), seconds.Next(now))
	assert.Equal(t, utc("2024-03-01T12:34:45Z"), seconds.Prev(now))

	// Rare schedules are found by the growing look-back windows.
	yearly := MustParseInterval("0 0 29 2 *")
	assert.Equal(t, utc("2024-02-29T00:00:00Z"), yearly.Prev(now))
	assert.Equal(t, utc("2028-02-29T00:00:00Z"), yearly.Next(now))

	london := MustParseInterval("TZ=Europe/London 30 3 * * *")
	assert.Equal(t, utc("2024-07-01T02:30:00Z"), london.Next(utc("2024-07-01T00:00:00Z")), "03:30 BST")
	assert.Equal(t, utc("2024-06-30T02:30:00Z"), london.Prev(utc("2024-07-01T00:00:00Z")))
}
