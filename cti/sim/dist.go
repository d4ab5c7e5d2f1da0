package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// DistKind is the shape of a [Dist].
type DistKind uint8

// Distribution shapes.
const (
	DistFixed       DistKind = iota // always A
	DistUniform                     // uniform in [A, B]
	DistNormal                      // normal, mean A, standard deviation B, cut at 0
	DistExponential                 // exponential with mean A
)

// Dist is a distribution of durations: added latency, talk time, pauses. The zero value is a
// fixed 0.
type Dist struct {
	Kind DistKind
	A, B time.Duration
}

// Fixed is always d.
func Fixed(d time.Duration) Dist { return Dist{Kind: DistFixed, A: d} }

// Uniform is uniform between min and max.
func Uniform(min, max time.Duration) Dist { return Dist{Kind: DistUniform, A: min, B: max} }

// Normal is normal with the given mean and standard deviation; negative draws become 0.
func Normal(mean, stddev time.Duration) Dist { return Dist{Kind: DistNormal, A: mean, B: stddev} }

// Exponential is exponential with the given mean.
func Exponential(mean time.Duration) Dist { return Dist{Kind: DistExponential, A: mean} }

// IsZero reports whether d always gives 0.
func (d Dist) IsZero() bool {
	switch d.Kind {
	case DistUniform, DistNormal:
		return d.A == 0 && d.B == 0
	}
	return d.A == 0
}

// Sample draws one duration.
func (d Dist) Sample(r *rand.Rand) time.Duration {
	var x float64
	switch d.Kind {
	case DistUniform:
		if d.B <= d.A {
			return d.A
		}
		x = float64(d.A) + r.Float64()*float64(d.B-d.A)
	case DistNormal:
		x = float64(d.A) + r.NormFloat64()*float64(d.B)
	case DistExponential:
		x = r.ExpFloat64() * float64(d.A)
	default:
		return d.A
	}
	if x < 0 || math.IsNaN(x) {
		return 0
	}
	if x > math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return time.Duration(x)
}

func (d Dist) validate() error {
	if d.A < 0 || d.B < 0 {
		return errors.New("durations must not be negative")
	}
	if d.Kind == DistUniform && d.B < d.A {
		return fmt.Errorf("uniform range %v..%v is reversed", d.A, d.B)
	}
	if d.Kind > DistExponential {
		return fmt.Errorf("unknown distribution kind %d", d.Kind)
	}
	return nil
}

// String gives the form ParseDist reads.
func (d Dist) String() string {
	switch d.Kind {
	case DistUniform:
		return d.A.String() + ".." + d.B.String()
	case DistNormal:
		return "normal(" + d.A.String() + "," + d.B.String() + ")"
	case DistExponential:
		return "exp(" + d.A.String() + ")"
	}
	return d.A.String()
}

// ParseDist reads a distribution:
//
//	10ms                  fixed
//	10ms..50ms            uniform between the two
//	normal(100ms,20ms)    normal: mean, standard deviation
//	exp(30s)              exponential with that mean
func ParseDist(s string) (Dist, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	fail := func(err error) (Dist, error) {
		return Dist{}, fmt.Errorf("invalid distribution %q (want 10ms, 10ms..50ms, normal(mean,sd) or exp(mean)): %w", s, err)
	}
	var d Dist
	switch {
	case strings.HasPrefix(t, "normal(") && strings.HasSuffix(t, ")"):
		mean, sd, ok := strings.Cut(t[len("normal("):len(t)-1], ",")
		if !ok {
			return fail(errors.New("normal needs mean and standard deviation"))
		}
		a, err := time.ParseDuration(mean)
		if err != nil {
			return fail(err)
		}
		b, err := time.ParseDuration(sd)
		if err != nil {
			return fail(err)
		}
		d = Normal(a, b)
	case (strings.HasPrefix(t, "exp(") || strings.HasPrefix(t, "exponential(")) && strings.HasSuffix(t, ")"):
		a, err := time.ParseDuration(t[strings.IndexByte(t, '(')+1 : len(t)-1])
		if err != nil {
			return fail(err)
		}
		d = Exponential(a)
	case strings.Contains(t, ".."):
		lo, hi, _ := strings.Cut(t, "..")
		a, err := time.ParseDuration(lo)
		if err != nil {
			return fail(err)
		}
		b, err := time.ParseDuration(hi)
		if err != nil {
			return fail(err)
		}
		d = Uniform(a, b)
	default:
		a, err := time.ParseDuration(t)
		if err != nil {
			return fail(err)
		}
		d = Fixed(a)
	}
	if err := d.validate(); err != nil {
		return fail(err)
	}
	return d, nil
}
