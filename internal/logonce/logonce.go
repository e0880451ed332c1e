// Package logonce logs a failure that repeats (an exporter's database down,
// its bucket missing, credentials refused) once per cause instead of once
// per retry or batch: the first occurrence of a cause at its level (WARN or
// ERROR), the repeats at DEBUG, a summary at the first level each time the
// cause has gone on for a period, and one INFO line when the failing work
// succeeds again. Every repeat stays countable; none is hidden.
//
// A failure belongs to a scope (what failed: a plugin's function), and its
// cause is the error's text with the parts that change from one attempt to
// the next (numbers, ids) taken out, so "connect ECONNREFUSED
// 10.0.0.5:5432 after 1503ms" and "... after 1720ms" are one cause.
package logonce

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Logger is where lines go; Benthos' *service.Logger and pluginhost's
// Logger have these methods.
type Logger interface {
	Debugf(format string, args ...any)
	Infof(format string, args ...any)
	Warnf(format string, args ...any)
	Errorf(format string, args ...any)
}

// Level is the level of a cause's first line and of its summaries.
type Level int

// The levels a failure is first logged at.
const (
	Warn Level = iota
	Error
)

// Defaults of Options.
const (
	DefaultEvery     = 5 * time.Minute
	DefaultMaxCauses = 32
)

// Options tune a Log; zero values take the defaults.
type Options struct {
	// Every is how long a cause repeats at DEBUG before a summary line.
	Every time.Duration
	// MaxCauses bounds the causes remembered per scope: causes with
	// volatile text the rules miss cannot grow the memory; past the bound
	// the scope's summaries are written and its causes forgotten.
	MaxCauses int
	// Now is the clock (time.Now by default), for tests.
	Now func() time.Time
}

// Log remembers the causes seen per scope. It is safe for concurrent use.
type Log struct {
	log       Logger
	every     time.Duration
	maxCauses int
	now       func() time.Time

	mu     sync.Mutex
	scopes map[string]*scope
}

// scope is one failing piece of work since it last succeeded.
type scope struct {
	failures int
	since    time.Time // the first failure
	causes   map[string]*cause
}

type cause struct {
	level   Level
	line    string    // the latest line of this cause
	repeats int       // since the cause was last written at its level
	window  time.Time // when it was last written at its level
}

// New returns a Log writing to log.
func New(log Logger, opts Options) *Log {
	l := &Log{log: log, every: opts.Every, maxCauses: opts.MaxCauses, now: opts.Now, scopes: make(map[string]*scope)}
	if l.every <= 0 {
		l.every = DefaultEvery
	}
	if l.maxCauses <= 0 {
		l.maxCauses = DefaultMaxCauses
	}
	if l.now == nil {
		l.now = time.Now
	}
	return l
}

// Failed logs the line format and args make, for a failure of scope caused
// by err: at level when the cause is new to the scope, at DEBUG when it
// repeats, and at level again, with how many times it repeated, once the
// cause has gone on for Every since it was last written at level.
func (l *Log) Failed(level Level, scopeName string, err error, format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	key := Cause(err)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	s := l.scopes[scopeName]
	if s == nil {
		s = &scope{since: now, causes: make(map[string]*cause)}
		l.scopes[scopeName] = s
	}
	s.failures++
	c := s.causes[key]
	if c == nil {
		if len(s.causes) >= l.maxCauses {
			l.summarize(s, now)
			s.causes = make(map[string]*cause)
		}
		s.causes[key] = &cause{level: level, line: line, window: now}
		l.write(level, "%s", line)
		return
	}
	c.line = line
	c.repeats++
	if elapsed := now.Sub(c.window); elapsed >= l.every {
		l.write(c.level, "%s (repeated %s in the last %s)", line, times(c.repeats), elapsed.Round(time.Second))
		c.repeats, c.window = 0, now
		return
	}
	l.log.Debugf("%s (repeated)", line)
}

// Recovered is scope succeeding: after failures, one INFO line says how
// many there were and for how long, and the scope's causes are forgotten
// (the next failure is new again).
func (l *Log) Recovered(scopeName string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.scopes[scopeName]
	if s == nil {
		return
	}
	delete(l.scopes, scopeName)
	l.log.Infof("%s recovered after %s in %s", scopeName, failures(s.failures), l.now().Sub(s.since).Round(time.Second))
}

// Flush writes the summaries of the repeats not yet summarized, as when
// the work stops while still failing.
func (l *Log) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, s := range l.scopes {
		l.summarize(s, now)
	}
}

func (l *Log) summarize(s *scope, now time.Time) {
	for _, c := range s.causes {
		if c.repeats > 0 {
			l.write(c.level, "%s (repeated %s in the last %s)", c.line, times(c.repeats), now.Sub(c.window).Round(time.Second))
			c.repeats, c.window = 0, now
		}
	}
}

func (l *Log) write(level Level, format string, args ...any) {
	if level == Error {
		l.log.Errorf(format, args...)
		return
	}
	l.log.Warnf(format, args...)
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

func failures(n int) string {
	if n == 1 {
		return "1 failure"
	}
	return fmt.Sprintf("%d failures", n)
}

// volatile are the parts of an error's text that may change between
// attempts of one cause: a UUID, a run of 8 or more hex digits (an id, a
// hash), a number.
var volatile = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\b[0-9a-fA-F]{8,}\b|[0-9]+`)

var space = regexp.MustCompile(`\s+`)

// maxCause bounds a cause's length: a long message differing only at its
// end (a dump of the failed rows) is one cause.
const maxCause = 300

// Cause is err's cause: its text with UUIDs and hex ids replaced by "<id>",
// numbers by "#", and runs of white space by one space, cut at 300 bytes.
// A nil error is the cause "".
func Cause(err error) string {
	if err == nil {
		return ""
	}
	text := volatile.ReplaceAllStringFunc(err.Error(), func(m string) string {
		digits, letters := false, false
		for _, r := range m {
			if r >= '0' && r <= '9' {
				digits = true
			} else if r != '-' {
				letters = true
			}
		}
		switch {
		case !letters:
			return "#"
		case digits:
			return "<id>"
		}
		return m // a word of hex letters ("deadbeef"), kept
	})
	text = strings.TrimSpace(space.ReplaceAllString(text, " "))
	if len(text) > maxCause {
		text = text[:maxCause]
	}
	return text
}
