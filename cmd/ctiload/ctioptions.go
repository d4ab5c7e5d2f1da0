package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ctiload/ctiload/cti/sim"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/jsapi"
)

// options.cti: the guards that keep a run from flooding the CTI Server (jsapi.Safety), with
// --max-request-rate and --max-open-rate over the script's values.

// ctiOptionKeys and backoffKeys are the keys options.cti accepts, for the did-you-mean.
var (
	ctiOptionKeys = []string{"abortOnOpenFailures", "maxOpenRate", "maxRequestRate", "openBackoff"}
	backoffKeys   = []string{"factor", "initial", "max"}
)

// parseCTIOptions reads options.cti over jsapi.DefaultSafety; every problem is reported.
func parseCTIOptions(raw json.RawMessage) (jsapi.Safety, error) {
	s := jsapi.DefaultSafety
	if len(raw) == 0 || string(raw) == "null" {
		return s, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return s, fmt.Errorf("options.cti: want an object such as {maxRequestRate: '200/s', openBackoff: {initial: '1s'}}: %v", err)
	}
	var errs []error
	for _, key := range sortedKeys(obj) {
		v := obj[key]
		var err error
		switch key {
		case "openBackoff":
			err = parseBackoff(v, &s.OpenBackoff)
		case "abortOnOpenFailures":
			var b bool
			if json.Unmarshal(v, &b) == nil && !b {
				s.AbortOnOpenFailures = 0
				break
			}
			var n float64
			if json.Unmarshal(v, &n) != nil || n != float64(int(n)) || n < 0 {
				err = fmt.Errorf("want a whole number of failed opens in a row (0 or false: never abort), got %s", v)
			}
			s.AbortOnOpenFailures = int(n)
		case "maxRequestRate", "maxOpenRate":
			var r float64
			if r, err = jsonRate(v); err == nil {
				if key == "maxRequestRate" {
					s.MaxRequestRate = r
				} else {
					s.MaxOpenRate = r
				}
			}
		default:
			err = unknownKey(key, ctiOptionKeys)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("options.cti.%s: %w", key, err))
		}
	}
	if len(errs) == 0 {
		if err := s.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("options.cti.%w", err))
		}
	}
	return s, errors.Join(errs...)
}

func parseBackoff(raw json.RawMessage, b *jsapi.Backoff) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return fmt.Errorf("want {initial: '100ms', max: '10s', factor: 2}, got %s", raw)
	}
	for _, key := range sortedKeys(obj) {
		switch key {
		case "initial", "max":
			var d executor.Duration
			if err := json.Unmarshal(obj[key], &d); err != nil {
				return fmt.Errorf("%s: want a duration such as '500ms' or a number of milliseconds, got %s", key, obj[key])
			}
			if key == "initial" {
				b.Initial = time.Duration(d)
			} else {
				b.Max = time.Duration(d)
			}
		case "factor":
			if err := json.Unmarshal(obj[key], &b.Factor); err != nil {
				return fmt.Errorf("factor: want a number >= 1, got %s", obj[key])
			}
		default:
			return unknownKey(key, backoffKeys)
		}
	}
	return nil
}

func unknownKey(key string, known []string) error {
	if s := suggest(key, known); s != "" {
		return fmt.Errorf("unknown key %q: did you mean %q?", key, s)
	}
	return fmt.Errorf("unknown key %q (want one of %s)", key, strings.Join(known, ", "))
}

// jsonRate reads a rate as a number per second or a string such as "200/s" or "600/m".
func jsonRate(raw json.RawMessage) (float64, error) {
	var n float64
	if json.Unmarshal(raw, &n) == nil {
		return rateValue{&n}.check()
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("want a rate such as '200/s' or a number per second, got %s", raw)
	}
	err := rateValue{&n}.Set(s)
	return n, err
}

// rateValue is a flag holding a rate per second, written N/s, N/m or N/h (0: no cap).
type rateValue struct{ p *float64 }

func (v rateValue) String() string {
	if v.p == nil || *v.p == 0 {
		return ""
	}
	return strconv.FormatFloat(*v.p, 'f', -1, 64) + "/s"
}

func (v rateValue) Set(s string) error {
	r, err := sim.ParseRate(s)
	if err != nil {
		return errors.New("want a rate such as 200/s, 600/m or 0 (no cap)")
	}
	*v.p = r
	_, err = v.check()
	return err
}

func (v rateValue) check() (float64, error) {
	if *v.p < 0 {
		return 0, errors.New("want a rate such as 200/s, 600/m or 0 (no cap)")
	}
	return *v.p, nil
}

func (v rateValue) Type() string { return "rate" }
