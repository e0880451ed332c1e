// Package job is the plugin job a plugin enqueues with meta.jobs and a
// schedule runs later: the record and the queue that takes it. It is apart
// from pluginhost so that schedule needs no JavaScript runtime.
package job

import (
	"context"
	"errors"
	"time"
)

// Job is one enqueued plugin job.
type Job struct {
	PluginConfigID int64
	Name           string
	Payload        []byte // JSON, "null" when none was given
	RunAt          time.Time
}

// Queue receives jobs enqueued with meta.jobs.
type Queue interface {
	EnqueueJob(ctx context.Context, job Job) error
}

// ErrUnknown is returned when a job's name is not a function of the
// plugin's jobs export.
var ErrUnknown = errors.New("the plugin exports no such job")
