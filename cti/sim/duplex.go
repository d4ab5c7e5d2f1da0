package sim

import (
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// Duplex is a duplex CTI Server pair: side A and side B listen on their own addresses and share
// one peripheral (agents, calls and the generator), as the two sides of a UCCE PG do. A starts
// active and B standby; Failover and FailA move the active role to B the way a real failover
// does: A's sessions end, B takes new opens, and agents keep their state.
type Duplex struct {
	A, B *Server
	c    *center

	mu    sync.Mutex
	maint *time.Timer // the side switch of a Maintenance in progress
}

// NewDuplex validates cfg and returns a pair; cfg.Side and cfg.Standby are ignored.
func NewDuplex(cfg Config) (*Duplex, error) {
	norm, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	c := newCenter(norm)
	d := &Duplex{A: newServer(c, "A", false), B: newServer(c, "B", true), c: c}
	c.gen.start()
	return d, nil
}

// Listen binds side A and side B ("127.0.0.1:0" when empty).
func (d *Duplex) Listen(addrA, addrB string) error {
	if err := d.A.Listen(addrA); err != nil {
		return err
	}
	if err := d.B.Listen(addrB); err != nil {
		d.A.Close()
		return err
	}
	return nil
}

// Addrs are the bound addresses of side A and side B.
func (d *Duplex) Addrs() (a, b string) { return d.A.Addr(), d.B.Addr() }

// Failover makes A standby (its active sessions get FAILURE_EVENT E_CTI_CTI_SERVER_OFFLINE and
// are closed) and B active.
func (d *Duplex) Failover() {
	d.A.SetStandby(true)
	d.B.SetStandby(false)
}

// Failback makes B standby and A active again.
func (d *Duplex) Failback() {
	d.B.SetStandby(true)
	d.A.SetStandby(false)
}

// FailA stops side A as a crash would (listener closed, connections reset without a word) and
// makes B active.
func (d *Duplex) FailA() {
	d.A.stop()
	d.A.wg.Wait()
	d.B.SetStandby(false)
}

// Maintenance is a planned side switch, as for a CTI Server upgrade: side A's open sessions of
// protocol v24 and later (the graceful-shutdown messages are v24+) get ACTIVE_MAINTENANCE_EVENT_MSG
// with Continue TRUE now — a desktop that handles it can move to side B before it must — and
// after notice side A goes standby and B active, exactly as Failover (A's remaining sessions get
// FAILURE_EVENT E_CTI_CTI_SERVER_OFFLINE and are closed; B's v24+ standby sessions are promoted
// with STANDBY_ACTIVE_EVENT_MSG). Older and UCCX sessions get no notice. It returns at once; a
// second call while one is pending changes nothing. The layout of ACTIVE_MAINTENANCE_EVENT_MSG
// is uncertain (docs/protocol: only a 2-byte BOOL captured, direction not established).
func (d *Duplex) Maintenance(notice time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.maint != nil || d.A.isStandby() {
		return
	}
	d.c.stats.fault(FaultMaintenance)
	d.A.announceMaintenance()
	d.maint = time.AfterFunc(notice, func() {
		d.mu.Lock()
		d.maint = nil
		d.mu.Unlock()
		d.Failover()
	})
}

// Close stops both sides, the generator and the timers.
func (d *Duplex) Close() error {
	d.mu.Lock()
	if d.maint != nil {
		d.maint.Stop()
		d.maint = nil
	}
	d.mu.Unlock()
	d.A.stop()
	d.B.stop()
	d.c.close()
	d.A.wg.Wait()
	d.B.wg.Wait()
	d.c.conns.flush()
	if l := d.c.cfg.Logger; l != nil {
		b, _ := json.Marshal(d.Counters())
		l.Info("cti sim stopped", "side", "A+B", "counters", string(b))
	}
	return nil
}

// Counters sums both sides' session counters onto the shared peripheral counters.
func (d *Duplex) Counters() Counters {
	c := d.c.counters()
	for _, s := range []*Server{d.A, d.B} {
		c.SessionsOpened += s.side.opened.Load()
		c.SessionsClosed += s.side.closed.Load()
		c.SessionsRejected += s.side.rejected.Load()
		c.SessionsActive += s.side.active.Load()
	}
	return c
}

// SetFaults replaces the injected faults (both sides).
func (d *Duplex) SetFaults(f Faults) error { return d.A.SetFaults(f) }

// SetPGOffline takes the shared peripheral offline for dur (see Server.SetPGOffline).
func (d *Duplex) SetPGOffline(dur time.Duration) { d.c.setPGOffline(dur) }

// SetCallRate changes the inbound call rate.
func (d *Duplex) SetCallRate(r float64) { d.c.gen.setRate(r) }

// OfferCall queues one inbound call now.
func (d *Duplex) OfferCall(o CallOptions) (uint32, error) {
	if d == nil {
		return 0, errors.New("sim: nil Duplex")
	}
	return d.c.offerCall(o)
}
