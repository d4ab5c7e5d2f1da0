// Package jsapi runs ctiload scenario scripts on goja: it transforms ES modules and TypeScript with
// esbuild, compiles them once, instantiates one runtime per VU and provides the modules scripts import
// (ctiload, ctiload/cti, ctiload/metrics, ctiload/data, ctiload/execution, ctiload/summary).
//
// # Host API
//
//	s, err := jsapi.Load("script.js", jsapi.LoadOptions{Env: env, Logger: log})
//	// s.OptionsJSON(): `export const options`, for the engine's options parser
//	// s.Exports():     exported function names, to check scenarios' exec names
//	r, err := s.NewRunner(jsapi.RunnerConfig{Target: simAddr, PeripheralID: 5000, Registry: reg, Seed: seed})
//	cfg.Setup, cfg.Teardown = r.SetupHook, r.TeardownHook // or r.Setup(ctx) / r.Teardown(ctx, data)
//	run, err := engine.New(cfg, r)                         // *Runner is the engine's VUFactory
//
// Errors from the script are *[ScriptError]: file:line:column on the user's own source (source
// maps undo the transform), the VU and iteration, and [ScriptError.ExitCode] (107) for the host.
//
// # Script lifecycle
//
// Init code (the top level) runs once in Load's "options" runtime (__VU 0), then once per VU
// runtime, and once in each of the setup and teardown runtimes. Then: setup() once; per VU,
// vuSetup(data) before its first iteration; iterations of the default export or of a scenario's
// exec function, each given the setup data (JSON-serialised, parsed once per VU); vuTeardown(data)
// when the engine closes the VU; teardown(data) once; handleSummary(data) at the very end
// ([Runner.HandleSummary], summary.go; textSummary comes from the host's
// RunnerConfig.TextSummary). execution.go: ctiload/execution, from the Iteration and
// [Runner.SetExecution]. Only init code may call open(), create
// metrics and SharedArrays; only code after init may connect, sleep or record.
//
// # Modules
//
//	import { check, group, sleep, fail, randomBetween, uuid } from 'ctiload'; // also 'k6'
//	import cti from 'ctiload/cti';
//	import { Counter, Gauge, Rate, Trend } from 'ctiload/metrics';         // also 'k6/metrics'
//	import { SharedArray, csv } from 'ctiload/data';                         // also 'k6/data'
//	import exec from 'ctiload/execution';                                   // also 'k6/execution'
//	import { textSummary } from 'ctiload/summary';                           // also k6's jslib URL
//	import { helper } from './lib/helper.js';                                // below the script's folder
//
// Globals: __VU, __ITER, __ENV, console (to the run's logger, with the VU and iteration), open(path
// [, 'b']) (init only, relative to the script's folder, confined to it unless
// LoadOptions.AllowPathsOutside), require.
//
// Randomness (Math.random, randomBetween, uuid) comes from a generator per VU seeded with
// RunnerConfig.Seed and the VU number: a run with the same seed makes the same choices.
//
// # ctiload/cti
//
// cti.connect(target, options) opens a session (an empty target or 'sim' means
// RunnerConfig.Target, the run's built-in simulator). Options: mode ('agent' | 'bridge'), version
// (24, 'uccx:14'), agentId, extension, instrument (default: extension), peripheralId (default
// RunnerConfig.PeripheralID, else the OPEN_CONF's), clientId, password (client password), services
// (mask, number or 'A|B'; agent mode asks for CLIENT_EVENTS|CLIENT_CONTROL|CALL_DATA_UPDATE),
// heartbeat ('5s', 0 or false for none), idleTimeout, timeout (per request), connectTimeout, openTimeout, masks
// ({call, agentState, config}), tls (true or {ca, cert, key, serverName, insecure}), failover
// (true or {maxAttempts, backoff, maxBackoff, maxElapsed}), tags (added to the session's samples),
// label, throw (default false).
//
// Session methods block the VU until the reply and return {ok, code, codeName, latencyMs, message,
// error} (message: the decoded reply; codeName 'ok', or E_CTI_…, CF_…, E_TIMEOUT…). A failure is
// ok:false, or an exception carrying code and codeName with throw:true. Methods: login({password,
// reasonCode, skillGroups}), setState('READY'|'NOT_READY'|'WORK_READY'|'WORK_NOT_READY'|'LOGOUT',
// {reasonCode, workMode}), logout({reasonCode}), queryState(), queryAgentStatistics(),
// querySkillGroupStatistics(number), queryQueueStatistics() (UCCX), waitFor(name | [names], {timeout,
// where}) (the event, or null on timeout), drainEvents(), answer(call), hold(call), retrieve(call),
// consult(call, number, {type, callVariables, …}) (result.call is the consult leg), transfer(call,
// number?) and conference(call, number?) (complete the consultation in progress, else single-step
// to number), clear(call), release(call) (CLEAR_CONNECTION_REQ), setCallData(call, {callVariables,
// namedVariables, wrapup}), makeCall(number, {callVariables}) (result.call), sendDTMF(call,
// digits), userMessage(text, {to}), snapshot(call), snapshotDevice(device), monitor(device|call,
// masks) (result.monitorId), stopMonitor(id), supervise(call, action), supervisorAssist(call?), emergencyCall(call?), request(name, fields),
// stats(), close(), and
// the closed property. A call is any object carrying ConnectionCallID (an event, a snapshot),
// NewConnectionCallID (a confirmation) or a result with one.
//
// The agent methods are a binding over cti/agent (the Go agent-desktop API: typed requests, the
// UCCE/UCCX agent ID, the consultation bookkeeping): cti_session.go converts arguments, the session
// is the desk's agent.Conn (its Do applies the run's guards and records the metrics), and errors
// become results or exceptions. cti.go holds connect and the session options.
//
// Events and messages are views: every decoded field by protocol name (enumerations as symbols
// such as 'AGENT_STATE_AVAILABLE' or 'LCS_ALERTING', numbers as numbers, bytes as hex), plus name,
// type and, for events, receivedAt (ms since the epoch). Fields are converted on first read.
//
// # Metrics
//
// The cti module records cti_request_duration and cti_requests (tags msg, status),
// cti_request_duration_from_schedule (the coordinated-omission twin), cti_failures (code, msg,
// phase), cti_event_wait_duration (msg, status ok|timeout), cti_session_open_duration,
// cti_sessions (result opened|failed), cti_sessions_lost (cause), cti_decode_errors (msg,
// reason), cti_events_dropped (mode), cti_heartbeat_rtt, cti_reconnects and
// cti_reconnect_duration (result), cti_messages_sent, cti_messages_received, cti_bytes_sent,
// cti_bytes_received, cti_open_backoff_duration and cti_rate_limit_wait_duration (kind
// request|open): their names and meaning have one home, package engine/metricnames, which
// reports reads too (cti_metrics.go registers them). Every sample carries the iteration's
// tags (scenario…), the group tag inside group(), and the session's tags. check() records the
// engine's checks rate with tag check.
//
// # Safety (cti_safety.go)
//
// Every cti.connect and every session request goes through the run's guards ([Safety], set by
// RunnerConfig.Safety from options.cti and the --max-*-rate flags): a VU backs off after failed
// opens (cti_open_backoff_duration), the run aborts when the last N opens all failed, and
// run-wide token buckets cap requests and opens (cti_rate_limit_wait_duration, tag kind). With
// RunnerConfig.RequirePeripheralID (a real server), an agent connect without peripheralId aborts
// before dialling. These aborts interrupt the runtime, so a script's try/catch cannot swallow them.
//
// # Cost
//
// The compiled program is shared; a VU pays for its runtime, the module functions it reads (module
// objects, console, the globals and session methods are lazy: lazy.go; esbuild's module interop
// helpers are native: interop.go) and its sessions: about 30 KB of Go heap and stack per idle VU
// holding an open CTI session with heartbeats, 12 KB without (BenchmarkVUMemory), 74 KB per
// agent of scripts/bench/idle-agents.js (BenchmarkAgentMemory; where it goes:
// docs/performance.md). SharedArray data lives once in Go memory and each VU reads it
// through a read-only view.
package jsapi
