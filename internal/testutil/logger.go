package testutil

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Logger records what is logged through it, a line "LEVEL message" each, for
// assertions. It has the Debugf, Infof, Warnf and Errorf that the loggers of
// pluginhost, schedule and state ask for. With T set, each line also goes to
// the test's log. It is safe for concurrent use.
type Logger struct {
	T testing.TB

	mu    sync.Mutex
	lines []string
}

func (l *Logger) add(level, format string, args ...any) {
	line := level + " " + fmt.Sprintf(format, args...)
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
	if l.T != nil {
		l.T.Log(line)
	}
}

// Debugf, Infof, Warnf and Errorf record a line at their level.
func (l *Logger) Debugf(format string, args ...any) { l.add("DEBUG", format, args...) }
func (l *Logger) Infof(format string, args ...any)  { l.add("INFO", format, args...) }
func (l *Logger) Warnf(format string, args ...any)  { l.add("WARN", format, args...) }
func (l *Logger) Errorf(format string, args ...any) { l.add("ERROR", format, args...) }

// Lines returns the lines logged so far.
func (l *Logger) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// String is the lines logged so far, one a line.
func (l *Logger) String() string {
	return strings.Join(l.Lines(), "\n")
}

// Count is how many lines hold substr.
func (l *Logger) Count(substr string) int {
	n := 0
	for _, line := range l.Lines() {
		if strings.Contains(line, substr) {
			n++
		}
	}
	return n
}

// Messages returns the messages logged at level ("INFO", "WARN", …).
func (l *Logger) Messages(level string) []string {
	var out []string
	for _, line := range l.Lines() {
		if msg, ok := strings.CutPrefix(line, level+" "); ok {
			out = append(out, msg)
		}
	}
	return out
}
