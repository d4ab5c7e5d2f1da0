// Package engine is ctiload's protocol-free load engine: scenarios and executors that run virtual
// users (VUs) at a controlled concurrency or arrival rate, the metrics pipeline (counters, gauges,
// rates and HdrHistogram trends with tags), thresholds and the run's verdict.
//
// It knows nothing of the CTI protocol or of JavaScript: a VU is an interface.
package engine
