package client

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/ctiload/ctiload/cti"
)

// Event is an unsolicited message (call events, agent state, SYSTEM_EVENT, FAILURE_EVENT…).
type Event struct {
	Msg      cti.Message // the decoded message (*RawMessage for a type without a known layout; a malformed frame is never an event)
	Received time.Time   // when its frame was read (carries the monotonic clock)
}

// Reply is the answer to a request.
type Reply struct {
	Msg      cti.Message // the …_CONF, FAILURE_CONF or CONTROL_FAILURE_CONF
	Sent     time.Time   // just before the request's bytes were written
	Received time.Time   // when the reply's frame was read
}

// RTT is the request's round-trip time, Received − Sent (monotonic).
func (r Reply) RTT() time.Duration {
	if r.Sent.IsZero() || r.Received.IsZero() {
		return 0
	}
	return r.Received.Sub(r.Sent)
}

// Events of a session, in arrival order, flow like this (all on the reader goroutine):
//
//  1. the event handler, if any, sees every event;
//  2. the oldest wait under way whose predicate matches takes it;
//  3. otherwise it joins the backlog. A full backlog drops its oldest event (counted in
//     EventsDropped): a load test must notice lost events, but a stalled script must not make
//     a session's memory grow without bound, and the newest events are the ones a script that
//     catches up is waiting for.
//
// A wait looks at the backlog first, oldest first, and takes (removes) the first match; the
// events it skips stay, in order, for later waits. So an event that arrives before the wait
// starts is not lost. Predicates run under the events lock: they must be quick and must not call
// the session.
type eventState struct {
	mu        sync.Mutex
	q         eventQueue
	max       int
	waiters   []*eventWaiter
	dropped   uint64
	unclaimed uint64
}

type eventWaiter struct {
	match func(cti.Message) bool
	ch    chan Event // buffered: the deliverer never blocks
}

// deliver hands ev to a waiter or the backlog.
func (e *eventState) deliver(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, w := range e.waiters {
		if w.match(ev.Msg) {
			e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
			w.ch <- ev
			return
		}
	}
	if e.max == 0 {
		e.unclaimed++
		return
	}
	if e.q.n >= e.max {
		e.q.popFront()
		e.dropped++
	}
	e.q.push(ev)
}

// removeWaiter reports whether w was still waiting (and now is not).
func (e *eventState) removeWaiter(w *eventWaiter) bool {
	for i, x := range e.waiters {
		if x == w {
			e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
			return true
		}
	}
	return false
}

// WaitEvent returns the oldest event matching match (nil matches any): from the backlog if one is
// there, else the next one to arrive. It gives up when ctx ends (an error matching
// [ErrEventTimeout] and context.DeadlineExceeded on a deadline, context.Canceled otherwise) or
// when the session ends (its [*SessionError]). Waits survive a fail-over: events from the new
// connection satisfy them. match runs under the session's event lock: keep it quick and do not
// call the session from it.
func (s *Session) WaitEvent(ctx context.Context, match func(cti.Message) bool) (Event, error) {
	if match == nil {
		match = func(cti.Message) bool { return true }
	}
	e := &s.ev
	e.mu.Lock()
	if ev, ok := e.q.take(match); ok {
		e.mu.Unlock()
		return ev, nil
	}
	select {
	case <-s.done:
		e.mu.Unlock()
		return Event{}, s.Err()
	default:
	}
	w := &eventWaiter{match: match, ch: make(chan Event, 1)}
	e.waiters = append(e.waiters, w)
	e.mu.Unlock()

	var err error
	select {
	case ev := <-w.ch:
		return ev, nil
	case <-ctx.Done():
		err = ctx.Err()
		if err == context.DeadlineExceeded {
			err = fmt.Errorf("%w: %w", ErrEventTimeout, err)
		}
	case <-s.done:
		err = s.Err()
	}
	e.mu.Lock()
	waiting := e.removeWaiter(w)
	e.mu.Unlock()
	if !waiting {
		// Delivered while we were giving up: the event is ours, do not lose it.
		return <-w.ch, nil
	}
	return Event{}, err
}

// DrainEvents takes every event in the backlog, oldest first (nil when there is none).
func (s *Session) DrainEvents() []Event {
	s.ev.mu.Lock()
	defer s.ev.mu.Unlock()
	return s.ev.q.drain()
}

// MatchType matches messages of type t.
func MatchType(t cti.MsgType) func(cti.Message) bool {
	return func(m cti.Message) bool { return m.MessageType() == t }
}

// MatchAll matches a message that every predicate matches.
func MatchAll(preds ...func(cti.Message) bool) func(cti.Message) bool {
	return func(m cti.Message) bool {
		for _, p := range preds {
			if p != nil && !p(m) {
				return false
			}
		}
		return true
	}
}

// MatchFields matches messages of type t whose fields, in the generic view of version v, equal
// want by name, e.g. MatchFields(v, cti.MsgAgentStateEvent, map[string]any{"AgentState":
// "AGENT_STATE_AVAILABLE"}). A wanted value equals a field when it is the same Go value, or when
// its text (fmt %v) equals the field's protocol symbol or its text; so enumerations match by name
// or number and numbers match whatever integer type carries them. A field that is absent does not
// match. For hot paths prefer a type assertion in a closure.
func MatchFields(v cti.Version, t cti.MsgType, want map[string]any) func(cti.Message) bool {
	wantText := make(map[string]string, len(want))
	for k, x := range want {
		wantText[k] = fmt.Sprint(x)
	}
	return func(m cti.Message) bool {
		if m.MessageType() != t {
			return false
		}
		found := 0
		for _, f := range m.Fields(v) {
			w, ok := want[f.Name]
			if !ok {
				continue
			}
			if !fieldEquals(f.Value, w, wantText[f.Name]) {
				return false
			}
			found++
		}
		return found == len(want)
	}
}

func fieldEquals(have, want any, wantText string) bool {
	if ht := reflect.TypeOf(have); ht != nil && ht == reflect.TypeOf(want) && ht.Comparable() && have == want {
		return true
	}
	if s, ok := have.(cti.Symboler); ok {
		if sym := s.Symbol(); sym != "" && sym == wantText {
			return true
		}
		// An enumeration's number: compare the underlying integer's text.
		rv := reflect.ValueOf(have)
		switch rv.Kind() {
		case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return fmt.Sprint(rv.Uint()) == wantText
		}
	}
	return fmt.Sprint(have) == wantText
}

// eventQueue is a ring that grows on demand (an idle session holds no buffer) and supports
// removal from the middle, which a selective wait needs.
type eventQueue struct {
	buf  []Event
	head int
	n    int
}

func (q *eventQueue) at(i int) *Event { return &q.buf[(q.head+i)%len(q.buf)] }

func (q *eventQueue) push(ev Event) {
	if q.n == len(q.buf) {
		c := 2 * len(q.buf)
		if c < 8 {
			c = 8
		}
		nb := make([]Event, c)
		for i := 0; i < q.n; i++ {
			nb[i] = *q.at(i)
		}
		q.buf, q.head = nb, 0
	}
	*q.at(q.n) = ev
	q.n++
}

func (q *eventQueue) popFront() Event {
	p := q.at(0)
	ev := *p
	*p = Event{}
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	q.shrink()
	return ev
}

// take removes and returns the oldest event that match accepts.
func (q *eventQueue) take(match func(cti.Message) bool) (Event, bool) {
	for i := 0; i < q.n; i++ {
		if ev := *q.at(i); match(ev.Msg) {
			for j := i; j < q.n-1; j++ {
				*q.at(j) = *q.at(j + 1)
			}
			*q.at(q.n - 1) = Event{}
			q.n--
			q.shrink()
			return ev, true
		}
	}
	return Event{}, false
}

func (q *eventQueue) drain() []Event {
	if q.n == 0 {
		return nil
	}
	out := make([]Event, q.n)
	for i := range out {
		out[i] = *q.at(i)
	}
	q.buf, q.head, q.n = nil, 0, 0
	return out
}

// shrink gives a large buffer back once it is empty, so a burst does not pin memory for the
// rest of the session.
func (q *eventQueue) shrink() {
	if q.n == 0 {
		q.head = 0
		if len(q.buf) > 64 {
			q.buf = nil
		}
	}
}
