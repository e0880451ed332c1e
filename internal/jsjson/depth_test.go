package jsjson

import (
	"strings"
	"testing"
)

func TestDepthExceeds(t *testing.T) {
	cases := []struct {
		name  string
		s     string
		limit int
		want  bool
	}{
		{"flat", `{"a":1,"b":[1,2]}`, 2, false},
		{"at limit", `[[[]]]`, 3, false},
		{"over limit", `[[[[]]]]`, 3, true},
		{"siblings do not add up", `[[],[],[],[]]`, 2, false},
		{"brackets in strings", `["[[[[", "{{{{\"[["]`, 1, false},
		{"escaped backslash ends string", `["\\", [[[]]]]`, 3, true},
		{"unterminated", strings.Repeat("[", 3_000_000), 1000, true},
		{"invalid closing first", `]]]][[`, 2, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := DepthExceeds(c.s, c.limit); got != c.want {
				t.Fatalf("DepthExceeds(%.40q, %d) = %v, want %v", c.s, c.limit, got, c.want)
			}
		})
	}
}
