package sim

import (
	"encoding/json"
	"errors"
	"time"
)

// Duplex is a duplex CTI Server pair: side A and side B listen on their own addresses and share
// one peripheral (agents, calls and the generator), as the two sides of a UCCE PG do. A starts
// active and B standby; Failover and FailA move the active role to B the way a real failover
// does: A's sessions end, B takes new opens, and agents keep their state.
type Duplex struct {
	A, B *Server
	c    *center
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

// Close stops both sides, the generator and the timers.
func (d *Duplex) Close() error {
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
