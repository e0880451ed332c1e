package pgtest

import "testing"

func TestStartStopRestart(t *testing.T) {
	s := Start(t)
	s.Exec("CREATE TABLE t (n int); INSERT INTO t VALUES (1)")
	s.Restart()
	if rows := s.Exec("SELECT n FROM t"); len(rows) != 1 || rows[0][0] != "1" {
		t.Fatalf("rows after restart: %v", rows)
	}
	if rows := s.Exec("SHOW ssl"); rows[0][0] != "on" {
		t.Fatalf("ssl: %v", rows)
	}
}
