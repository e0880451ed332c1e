package state

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// maxPipeline caps how many commands go out in one pipeline.
const maxPipeline = 512

// autoPipeline coalesces the commands of concurrent callers. Callers queue a
// command and wait; one dispatcher goroutine takes everything queued (up to
// maxPipeline), sends it as one pipeline, completes each caller, and repeats.
// While a pipeline is in flight new commands pile up for the next one, so the
// batches grow with the load and a lone caller pays no extra wait.
//
// The dispatcher also tracks reachability: the first failed round trip of an
// outage is logged once with Warnf, the first success after it with Infof.
type autoPipeline struct {
	client *redis.Client
	addr   string
	log    Logger

	queue   chan *pipeCall
	ctx     context.Context // cancelled by close; bounds the round trips
	cancel  context.CancelFunc
	stopped chan struct{} // closed when the dispatcher has returned

	// Dispatcher-owned.
	live      []*pipeCall
	down      bool
	downSince time.Time

	calls sync.Pool // of *pipeCall, reused once their caller has the result

	pipelines atomic.Int64 // round trips made
	commands  atomic.Int64 // commands sent in them
}

type pipeCall struct {
	ctx  context.Context
	cmd  redis.Cmder
	err  error
	done chan struct{} // receives once the call is complete; capacity 1
}

func newAutoPipeline(client *redis.Client, addr string, log Logger) *autoPipeline {
	ctx, cancel := context.WithCancel(context.Background())
	p := &autoPipeline{
		client:  client,
		addr:    addr,
		log:     log,
		queue:   make(chan *pipeCall, 4*maxPipeline),
		ctx:     ctx,
		cancel:  cancel,
		stopped: make(chan struct{}),
		live:    make([]*pipeCall, 0, maxPipeline),
	}
	p.calls.New = func() any { return &pipeCall{done: make(chan struct{}, 1)} }
	go p.dispatch()
	return p
}

// do runs cmd in the next pipeline and returns its error: redis.Nil for a nil
// reply, a sentinel for the known error replies, an unreachableError when the
// round trip failed, ctx.Err() when the caller stopped waiting.
func (p *autoPipeline) do(ctx context.Context, cmd redis.Cmder) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := p.calls.Get().(*pipeCall)
	c.ctx, c.cmd = ctx, cmd
	select {
	case p.queue <- c:
		signalQueued(ctx)
	case <-ctx.Done():
		return ctx.Err()
	case <-p.stopped:
		return ErrClosed
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		return ctx.Err() // c is abandoned to the dispatcher and the GC
	case <-p.stopped:
		select {
		case <-c.done:
		default:
			return ErrClosed // queued after the dispatcher left
		}
	}
	err := c.err
	*c = pipeCall{done: c.done}
	p.calls.Put(c)
	return err
}

// close stops the dispatcher and waits for it; the round trip in flight, if
// any, is cancelled.
func (p *autoPipeline) close() {
	p.cancel()
	<-p.stopped
}

func (p *autoPipeline) dispatch() {
	defer close(p.stopped)
	batch := make([]*pipeCall, 0, maxPipeline)
	for {
		select {
		case <-p.ctx.Done():
			return
		case c := <-p.queue:
			batch = append(batch[:0], c)
		}
	fill:
		for len(batch) < maxPipeline {
			select {
			case c := <-p.queue:
				batch = append(batch, c)
			default:
				break fill
			}
		}
		p.exec(batch)
		clear(batch)
	}
}

// exec sends the calls whose callers still wait as one pipeline and completes
// every call.
func (p *autoPipeline) exec(batch []*pipeCall) {
	live := p.live[:0]
	for _, c := range batch {
		if err := c.ctx.Err(); err != nil {
			complete(c, err) // never sent: the caller gave up before
			continue
		}
		live = append(live, c)
	}
	defer func() { clear(live); p.live = live[:0] }()
	if len(live) == 0 {
		return
	}

	pipe := p.client.Pipeline()
	for _, c := range live {
		_ = pipe.Process(p.ctx, c.cmd) // only queues it
	}
	_, _ = pipe.Exec(p.ctx) // errors are per command, below
	p.pipelines.Add(1)
	p.commands.Add(int64(len(live)))

	// Classify first and log before completing anyone, so a caller that sees
	// the error also sees the log line.
	var netErr error
	for _, c := range live {
		err := c.cmd.Err()
		switch {
		case err == nil, errors.Is(err, redis.Nil):
		case isReplyError(err):
			err = knownReplyError(err)
		case p.ctx.Err() != nil:
			err = ErrClosed
		default:
			if netErr == nil {
				netErr = err
			}
			err = &unreachableError{addr: p.addr, err: err}
		}
		c.err = err
	}
	if p.ctx.Err() == nil {
		p.observe(netErr)
	}
	for _, c := range live {
		complete(c, c.err)
	}
}

func complete(c *pipeCall, err error) {
	c.err = err
	c.done <- struct{}{}
}

// observe logs the start and the end of an outage, once each.
func (p *autoPipeline) observe(netErr error) {
	switch {
	case netErr != nil && !p.down:
		p.down, p.downSince = true, time.Now()
		p.log.Warnf("redis %s unreachable: %v; meta.cache and meta.storage calls fail until it is back", p.addr, netErr)
	case netErr == nil && p.down:
		p.down = false
		p.log.Infof("redis %s reachable again after %s", p.addr, time.Since(p.downSince).Round(time.Millisecond))
	}
}
