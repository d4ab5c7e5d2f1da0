// TypeScript declarations of the ctiload script API: the modules 'ctiload' (alias 'k6'),
// 'ctiload/cti', 'ctiload/metrics' (alias 'k6/metrics'), 'ctiload/data' (alias 'k6/data') and
// the globals. They describe what jsapi implements (see docs/script-api.md); ctiload itself
// does not read them: it strips types with esbuild and runs the JavaScript.
//
// Use them from a scenario with a triple-slash reference:
//
//   /// <reference path="../types/ctiload.d.ts" />
//
// or list the file in tsconfig.json ("files" or "include"); see types/README.md.

// ---------------------------------------------------------------------------------------------
// Globals

/** The VU's number, from 1; 0 in the options, setup and teardown runtimes. Unique across scenarios. */
declare const __VU: number;
/** The VU's iteration number, from 0 (0 outside iterations). */
declare const __ITER: number;
/**
 * The script's environment: the process environment (unless `--include-system-env-vars=false`)
 * overlaid with `-e KEY=VALUE` and the scenario's `env`. Values are strings.
 */
declare const __ENV: { readonly [key: string]: string | undefined };
/**
 * Reads a file, in init code only, relative to the script's folder and confined to it. Files are
 * read once per run. Mode 'b' returns an ArrayBuffer.
 */
declare function open(path: string): string;
declare function open(path: string, mode: 'b'): ArrayBuffer;
/** CommonJS require of the built-in modules and of relative files. */
declare function require(id: string): any;
/** Writes to the run's log with the VU and iteration: log/info (INFO), debug, warn, error. */
declare const console: {
  log(...args: any[]): void;
  info(...args: any[]): void;
  debug(...args: any[]): void;
  warn(...args: any[]): void;
  error(...args: any[]): void;
};

// ---------------------------------------------------------------------------------------------
// ctiload (alias k6): checks, groups, sleep, randomness, and the options a script exports

declare module 'ctiload' {
  /**
   * Runs each named check on value (a function is called with value; any other value counts by
   * its truthiness), records one `checks` sample per name with the tag check=name (plus tags),
   * and returns whether all passed. A check function that throws fails the iteration.
   */
  export function check<T>(value: T, checks: { [name: string]: ((value: T) => unknown) | boolean | number | string | null | undefined }, tags?: Tags): boolean;
  /** Runs fn with the tag group=::name (nested: ::outer::inner) on every sample inside; returns fn's result. */
  export function group<R>(name: string, fn: () => R): R;
  /** Blocks the VU: a number of seconds, or a duration string such as '500ms'. Not in init code. */
  export function sleep(duration: number | string): void;
  /** Throws: the iteration fails with message. */
  export function fail(message?: string): never;
  /**
   * Stops the whole test (k6's exec.test.abort()): no new iterations, running ones interrupted,
   * the summary written, exit code 108. For a script that sees the server is broken.
   */
  export function abort(reason?: string): never;
  /**
   * An integer in [min, max] when both are integers, else a number in [min, max). The VU's
   * generator is seeded from the run's seed and the VU number (so is Math.random).
   */
  export function randomBetween(min: number, max: number): number;
  /** A random version 4 UUID from the VU's seeded generator. */
  export function uuid(): string;

  /** Tags: string values by name. */
  export type Tags = { [name: string]: string };

  /** A duration: a string such as '30s', '1m30s', '500ms', or a number of milliseconds. */
  export type Duration = string | number;

  export interface Stage {
    duration: Duration;
    /** VUs (ramping-vus) or iterations per timeUnit (ramping-arrival-rate). */
    target: number;
  }

  interface BaseScenario {
    /** Delay from the start of the run (default 0). */
    startTime?: Duration;
    /** Time running iterations get to finish once the scenario is over (default '30s'). */
    gracefulStop?: Duration;
    /** The exported function to run (default 'default'). */
    exec?: string;
    /** __ENV additions for this scenario. */
    env?: { [key: string]: string };
    /** Tags added to every sample of this scenario (besides scenario=NAME). */
    tags?: Tags;
  }
  /** VUs share iterations: each takes the next one as soon as it is free. */
  export interface SharedIterationsScenario extends BaseScenario {
    executor: 'shared-iterations';
    /** Default 1. */
    vus?: number;
    /** Default 1. */
    iterations?: number;
    /** Default '10m'. */
    maxDuration?: Duration;
  }
  /** Each VU runs iterations iterations. */
  export interface PerVUIterationsScenario extends BaseScenario {
    executor: 'per-vu-iterations';
    vus?: number;
    iterations?: number;
    maxDuration?: Duration;
  }
  /** vus VUs loop over iterations for duration. */
  export interface ConstantVUsScenario extends BaseScenario {
    executor: 'constant-vus';
    vus?: number;
    duration: Duration;
  }
  /** The number of looping VUs follows the stages, from startVUs. */
  export interface RampingVUsScenario extends BaseScenario {
    executor: 'ramping-vus';
    /** Default 1. */
    startVUs?: number;
    stages: Stage[];
    /** Time a VU removed by a ramp-down gets to finish its iteration (default '30s'). */
    gracefulRampDown?: Duration;
  }
  /** rate iterations start every timeUnit, whatever the iterations take. */
  export interface ConstantArrivalRateScenario extends BaseScenario {
    executor: 'constant-arrival-rate';
    rate: number;
    /** Default '1s'. */
    timeUnit?: Duration;
    duration: Duration;
    /** VUs initialised before the start (preAllocatedVUs or maxVUs must be positive). */
    preAllocatedVUs?: number;
    /** Default preAllocatedVUs. */
    maxVUs?: number;
    /** Drop (count in dropped_iterations) an iteration reached later than this after its due time; default: start it however late. */
    maxStartLateness?: Duration;
  }
  /** The arrival rate goes linearly from startRate through the stages' targets. */
  export interface RampingArrivalRateScenario extends BaseScenario {
    executor: 'ramping-arrival-rate';
    /** Default 0. */
    startRate?: number;
    timeUnit?: Duration;
    stages: Stage[];
    /** VUs initialised before the start (preAllocatedVUs or maxVUs must be positive). */
    preAllocatedVUs?: number;
    maxVUs?: number;
    /** As for constant-arrival-rate. */
    maxStartLateness?: Duration;
  }
  export type Scenario =
    | SharedIterationsScenario | PerVUIterationsScenario | ConstantVUsScenario | RampingVUsScenario
    | ConstantArrivalRateScenario | RampingArrivalRateScenario;

  /**
   * A threshold expression: AGGREGATION OPERATOR NUMBER, with AGGREGATION one of count, rate,
   * value, min, max, avg, med, passes, fails, p(N), and OPERATOR one of < <= > >= == != === !==.
   */
  export type ThresholdExpression = string;
  export interface ThresholdObject {
    threshold: ThresholdExpression;
    /** Stop the run as soon as this threshold fails (exit code 99). */
    abortOnFail?: boolean;
    /** Do not judge abortOnFail before this long after the start. */
    delayAbortEval?: Duration;
  }

  /**
   * options.simulator: the built-in simulator of `ctiload run` without --target. Keys are the
   * run command's --sim-* flags without "sim-", in camelCase; flags and CTILOAD_SIM_* variables
   * win over them. Durations are Go duration strings ('30s'); a list or a {MSG: RULE} object
   * gives a repeatable flag several values.
   */
  export interface SimulatorOptions {
    /** Agents become NOT_READY after a call. */
    afterCallNotReady?: boolean;
    /** Agent login password (empty: any). */
    agentPassword?: string;
    /** CSV file of agents and their skill groups (columns agentId and skillGroups, groups separated by ';' or spaces) and teams (an optional column team). */
    agentsCsv?: string;
    /** Number of agents (default 100): IDs from firstAgentId, extensions from firstExtension. */
    agents?: number;
    /** Inbound call rate: 5, '5/s', '300/m', '18000/h' (default 0: none). */
    callRate?: number | string;
    /** The number callers dial; desktops dialling it reach the first skill group's queue (default '8000', longer when the extensions reach 8000). */
    dialedNumber?: string;
    /** ANI pool of inbound calls, picked at random (default: random numbers). */
    ani?: string[];
    /** DNIS pool of inbound calls (default: the dialed number). */
    dnis?: string[];
    /** Drop each connection at its Nth request (0: never). */
    dropAfter?: number;
    /** Probability per request of dropping the connection. */
    dropRate?: number;
    /** A duplex pair: side A active, side B standby; the run's target becomes "A,B". */
    duplex?: boolean;
    /** Duplex: crash side A this long after the scenarios start. */
    failAAfter?: string;
    /** Failure injection 'MSG=RATE[:CODE]', e.g. 'SET_AGENT_STATE_REQ=5%:CF_INVALID_AGENT_WORK_MODE', or {MSG: 'RATE[:CODE]'}. */
    failRate?: string | string[] | { [msg: string]: string | number };
    /** Duplex: fail over to side B (side A to standby) this long after the scenarios start. */
    failoverAfter?: string;
    /** Duplex: side A active again (B standby) this long after the scenarios start, after failoverAfter. */
    failbackAfter?: string;
    /** Duplex: a planned side switch this long after the scenarios start: side A's v24+ sessions get ACTIVE_MAINTENANCE_EVENT_MSG, then after maintenanceNotice A goes standby and B active. */
    maintenanceAfter?: string;
    /** Duplex: how long after the ACTIVE_MAINTENANCE_EVENT_MSG the sides switch (default '5s'). */
    maintenanceNotice?: string;
    /** Take the peripheral offline this long after the scenarios start (SYSTEM_EVENT PERIPHERAL_OFFLINE; requests refused). */
    pgOfflineAfter?: string;
    /** The peripheral comes back online after this long offline (default: stays offline). */
    pgOfflineFor?: string;
    /** First agent ID (default 5000). */
    firstAgentId?: number;
    /** First agent extension (default 1000). */
    firstExtension?: number;
    /** Added latency 'MSG=DIST' ('*' for every request), e.g. '*=1ms..5ms', or {MSG: DIST}. */
    latency?: string | string[] | { [msg: string]: string };
    /** Log an agent out when its session closes. */
    logoutOnClose?: boolean;
    /** Required OPEN_REQ ClientPassword (empty: none). */
    password?: string;
    /** PeripheralID of the simulated peripheral (UCCE, default 5000). */
    peripheralId?: number;
    /** Poisson call arrivals instead of a fixed interval. */
    poisson?: boolean;
    /** Callers abandon after waiting this long (default: never). */
    queueTimeout?: string;
    /** Valid NOT_READY/LOGOUT reason codes (empty: any). */
    reasonCodes?: number | string | number[];
    /** NOT_READY and LOGOUT need a reason code. */
    reasonRequired?: boolean;
    /** Probability of refusing an OPEN_REQ. */
    refuseOpenRate?: number;
    /** Re-queue a call not answered within this time (default: off). */
    ringNoAnswer?: string;
    /** Skill groups with their members and numbers, 'NUM[=DIALED][:AGENTS]' (e.g. '2=8002:5000-5049,5080'), or {NUM: 'DIALED[:AGENTS]'}. */
    skillGroup?: string | string[] | { [num: string]: string };
    /** Skill groups of every agent (default 1); calls to dialedNumber queue for the first. */
    skillGroups?: number | string | number[];
    /** Length of a reading pause, a distribution (default '1s'). */
    slowRead?: string;
    /** Probability per request of pausing reading the connection. */
    slowReadRate?: number;
    /** Callers hang up after this: '30s', '10s..60s', 'normal(60s,10s)', 'exp(45s)' (default: never). */
    talkTime?: string;
    /** Agent teams, 'ID[=NAME]:SUPERVISOR[:AGENTS]' (e.g. '7=Billing:5009:5000-5008'): TeamID, name, the supervisor's agent ID and the members (default: the agents CSV's team column). */
    team?: string | string[];
    /** Simulate a Unified CCX CTI server instead of Unified CCE. */
    uccx?: boolean;
    /** Accepted protocol versions (default 13-15,20-25 for UCCE, 10-18 for UCCX). */
    versions?: number | string | number[];
    /** Agents go to wrap-up (WORK_READY) after ACD calls. */
    wrapUp?: boolean;
    /** Wrap-up ends by itself after this long. */
    wrapUpTime?: string;
  }

  /**
   * options.cti: the guards that keep a run from flooding a CTI Server. They apply to every
   * session of the run, whatever the script does.
   */
  export interface CTIOptions {
    /** Wait of a VU before it opens again after failed opens: initial × factor^(n−1) after n failures in a row, capped at max, up to half taken off at random (default {initial: '100ms', max: '10s', factor: 2}). */
    openBackoff?: { initial?: Duration; max?: Duration; factor?: number };
    /** Abort the run (exit 108) when this many session opens in a row, over all VUs, failed (default 10); 0 or false: never. */
    abortOnOpenFailures?: number | false;
    /** Cap on the requests of all VUs together: 200, '200/s', '600/m' (default 0: none); --max-request-rate wins. */
    maxRequestRate?: number | string;
    /** Cap on the session opens of all VUs together: 20, '20/s' (default 0: none); --max-open-rate wins. */
    maxOpenRate?: number | string;
  }

  /** `export const options`. The shortcuts (vus, duration, iterations, stages) replace scenarios. */
  export interface Options {
    vus?: number;
    duration?: Duration;
    iterations?: number;
    stages?: Stage[];
    scenarios?: { [name: string]: Scenario };
    /** Thresholds by metric selector: 'name' or 'name{tag:value,…}'. */
    thresholds?: { [selector: string]: ThresholdExpression | ThresholdObject | Array<ThresholdExpression | ThresholdObject> };
    executionSegment?: string;
    executionSegmentSequence?: string;
    /** Tags added to every sample of the run. */
    tags?: Tags;
    /** Latency columns of the summary, e.g. ['avg', 'min', 'med', 'p(95)', 'p(99)', 'max']. */
    summaryTrendStats?: string[];
    simulator?: SimulatorOptions;
    cti?: CTIOptions;
  }
}

declare module 'k6' {
  export * from 'ctiload';
}

// ---------------------------------------------------------------------------------------------
// ctiload/cti: CTI sessions

declare module 'ctiload/cti' {
  /** A session's options (cti.connect's second argument). Unknown keys are errors. */
  export interface ConnectOptions {
    /** 'agent' (default: an agent desktop, CLIENT_EVENTS) or 'bridge' (ALL_EVENTS, a monitor). */
    mode?: 'agent' | 'bridge';
    /** Protocol version: 24 (default), 13…25, or 'uccx:14' for a Unified CCX server. */
    version?: number | string;
    /** AgentID (LongAgentID on UCCX). */
    agentId?: string | number;
    /** AgentExtension. */
    extension?: string | number;
    /** AgentInstrument (default: the extension). */
    instrument?: string | number;
    /** PeripheralID: the agents' PG peripheral ID, required in agent mode against --target (default: the built-in simulator's). */
    peripheralId?: number;
    /** OPEN_REQ ClientID (default 'ctiload'). */
    clientId?: string | number;
    /** OPEN_REQ ClientPassword (the client password, not the agent's). */
    password?: string | number;
    /** ServicesRequested: a number or names joined with '|' (agent mode default: CLIENT_EVENTS|CLIENT_CONTROL|CALL_DATA_UPDATE). */
    services?: number | string;
    /** Heartbeat interval: seconds or a duration string (default '5s'); 0 or false: none. */
    heartbeat?: number | string | false;
    /** OPEN_REQ IdleTimeout (default 4 × heartbeat, at least 20 s). */
    idleTimeout?: number | string;
    /** Bound of each request's wait for its reply (default '15s'). */
    timeout?: number | string;
    /** Bound of one TCP connect and TLS handshake (default '10s'). */
    connectTimeout?: number | string;
    /** Bound of the wait for OPEN_CONF after OPEN_REQ (default '30s'; Cisco: 60 s above 500 clients). */
    openTimeout?: number | string;
    /** Event masks: numbers or names joined with '|' (e.g. 'CALL_DELIVERED_MASK|CALL_CLEARED_MASK'). */
    masks?: { call?: number | string; agentState?: number | string; config?: number | string };
    /** TLS: true, or PEM files relative to the script's folder. */
    tls?: boolean | { ca?: string; cert?: string; key?: string; serverName?: string; insecure?: boolean };
    /** Move to the other side of a duplex pair (or reconnect) when the link is lost. */
    failover?: boolean | { maxAttempts?: number; backoff?: number | string; maxBackoff?: number | string; maxElapsed?: number | string };
    /** Tags added to every sample of the session. */
    tags?: { [name: string]: string };
    /** The session's name in traces and logs, after the VU number: vu3-LABEL (default: the agent ID). */
    label?: string;
    /** Throw on a failed request or a waitFor timeout instead of returning ok:false / null. */
    throw?: boolean;
  }

  /** A decoded message: every field by its protocol name, plus name and type. */
  export interface Message {
    /** The message name, e.g. 'CALL_DELIVERED_EVENT'. */
    readonly name: string;
    /** The message type number. */
    readonly type: number;
    /** Fields: enumerations as symbols ('LCS_ALERTING'), numbers, strings, bytes as hex, groups as arrays. */
    [field: string]: any;
  }

  /** An event: a message the server sent unasked. */
  export interface CTIEvent extends Message {
    /** When it arrived, in milliseconds since the epoch. */
    readonly receivedAt: number;
  }

  /**
   * A call for the call-control methods: an event or a snapshot with ConnectionCallID, a
   * confirmation with NewConnectionCallID, a Result carrying one, or an object naming the
   * connection ({ConnectionCallID: 0xFFFFFFFF} answers "the alerting call").
   */
  export type CallRef =
    | { ConnectionCallID: number; ConnectionDeviceIDType?: string | number; ConnectionDeviceID?: string; PeripheralID?: number }
    | { NewConnectionCallID: number; NewConnectionDeviceIDType?: string | number; NewConnectionDeviceID?: string }
    | { call: CallRef }
    | { message: CallRef }
    | Message;

  /** What session.supervise() asks for (the SUPERVISOR_… symbols are accepted too). */
  export type SupervisoryActionName = 'BARGE_IN' | 'INTERCEPT' | 'CLEAR' | 'MONITOR' | 'WHISPER';

  /** A connection as the helpers return it (Result.call). */
  export interface Connection {
    ConnectionCallID: number;
    ConnectionDeviceIDType: string | number;
    ConnectionDeviceID: string;
  }

  /** What every request method returns (or, with throw: true, what it throws on failure). */
  export interface Result {
    /** The server confirmed the request. */
    readonly ok: boolean;
    /** The numeric failure code (Status or CF_ code), 0 on success, null when the failure has none (a timeout). */
    readonly code: number | null;
    /** 'ok', or the failure's name: E_CTI_…, CF_…, E_TIMEOUT, E_NOT_SENT (never written: the session had ended), E_CONNECTION_LOST, E_SESSION_CLOSED … */
    readonly codeName: string;
    /** Request sent → reply received, in milliseconds. */
    readonly latencyMs: number;
    /** The decoded reply (the confirmation, or FAILURE_CONF / CONTROL_FAILURE_CONF), null if none. */
    readonly message: Message | null;
    /** The failure in words, when ok is false. */
    readonly error?: string;
    /** consult() and makeCall(): the new connection. */
    call?: Connection;
    /** monitor(): the new monitor's ID. */
    monitorId?: number;
    [key: string]: any;
  }

  export interface SessionStats {
    messagesSent: number;
    messagesReceived: number;
    bytesSent: number;
    bytesReceived: number;
    /** Events received. */
    events: number;
    /** Events waiting to be claimed by waitFor or drainEvents. */
    eventsPending: number;
    /** Events dropped because the backlog (1,024) was full. */
    eventsDropped: number;
    /** Successful reconnections (fail-overs) after a lost link. */
    reconnects: number;
    /** The last heartbeat's round trip, in milliseconds (0 before the first). */
    heartbeatRttMs: number;
    /** HEARTBEAT_REQs sent. */
    heartbeatsSent: number;
    /** Heartbeat intervals that passed with the last heartbeat unanswered and nothing else received. */
    heartbeatsMissed: number;
    /** The most any HEARTBEAT_REQ was sent behind its schedule (an interval after the last frame sent), in ms: the load generator's own lateness. */
    heartbeatLateMaxMs: number;
  }

  export type AgentStateName = 'READY' | 'AVAILABLE' | 'NOT_READY' | 'WORK_READY' | 'WORK_NOT_READY' | 'LOGOUT' | 'LOGIN';

  /** A skill group for login: its number, or {number, priority}. */
  export type SkillGroup = number | { number: number; priority?: number };

  /** CallVariable1…10: {1: 'x', 10: 'y'} (or {CallVariable1: 'x'}), or ['a', 'b', …] for 1, 2, … */
  export type CallVariables = { [n: string]: string | number } | Array<string | number | null | undefined>;

  export interface CallData {
    callVariables?: CallVariables;
    /** ECC variables by name, e.g. {'user.account': '42'}. */
    namedVariables?: { [name: string]: string };
    /** CallWrapupData. */
    wrapup?: string;
  }

  export interface WaitOptions<E extends CTIEvent = CTIEvent> {
    /** Default '30s'; seconds or a duration string. */
    timeout?: number | string;
    /** Accept only events for which it returns true; refused events stay queued for later waits. */
    where?: (event: E) => boolean;
  }

  /** A CTI session. Methods block the VU until the reply (or the event) comes. */
  export interface Session {
    /** SET_AGENT_STATE_REQ LOGIN. */
    login(options?: { password?: string; reasonCode?: number; skillGroups?: SkillGroup[]; workMode?: string | number }): Result;
    /** SET_AGENT_STATE_REQ with state (READY means AVAILABLE), or any AGENT_STATE_… symbol. */
    setState(state: AgentStateName | string, options?: { reasonCode?: number; workMode?: string | number; password?: string; skillGroups?: SkillGroup[] }): Result;
    /** SET_AGENT_STATE_REQ LOGOUT. */
    logout(options?: { reasonCode?: number }): Result;
    /** QUERY_AGENT_STATE_REQ for the session's agent. */
    queryState(): Result;
    /** QUERY_AGENT_STATISTICS_REQ for the session's agent (Unified CCE): result.message holds the 84 counters, e.g. HandledCallsSession, AvailTimeToday (seconds). */
    queryAgentStatistics(): Result;
    /** QUERY_SKILL_GROUP_STATISTICS_REQ for a skill group by number (Unified CCE): result.message holds AgentsLoggedOn, CallsQNow, HandledCallsToHalf … */
    querySkillGroupStatistics(skillGroupNumber: number): Result;
    /** QUERY_AGENT_QUEUE_STATISTICS_REQ for the session's agent (Unified CCX): result.message.CallsInQueue and OldestCallInQueue (seconds) over the agent's CSQs. */
    queryQueueStatistics(): Result;
    /** The next matching event, or null on timeout (throws on timeout with throw: true, and when the session is gone). */
    waitFor(name: EventName | EventName[], options?: WaitOptions): CTIEvent | null;
    /** Every event waiting in the session, oldest first (and forgets them). */
    drainEvents(): CTIEvent[];
    /** ANSWER_CALL_REQ. */
    answer(call: CallRef): Result;
    /** HOLD_CALL_REQ. */
    hold(call: CallRef): Result;
    /** RETRIEVE_CALL_REQ of a held call. */
    retrieve(call: CallRef): Result;
    /** CONSULTATION_CALL_REQ; result.call is the consult leg. */
    consult(call: CallRef, number: string | number, options?: CallData & { type?: string }): Result;
    /** TRANSFER_CALL_REQ: completes the consultation in progress, else a single-step transfer to number. */
    transfer(call: CallRef, number?: string | number): Result;
    /** CONFERENCE_CALL_REQ: completes the consultation in progress, else a single-step conference to number. */
    conference(call: CallRef, number?: string | number): Result;
    /** CLEAR_CALL_REQ: ends the call for every party. */
    clear(call: CallRef): Result;
    /** CLEAR_CONNECTION_REQ: this device leaves the call. */
    release(call: CallRef): Result;
    /** SET_CALL_DATA_REQ. */
    setCallData(call: CallRef, data: CallData): Result;
    /** MAKE_CALL_REQ from the agent's instrument; result.call is the new connection. */
    makeCall(number: string | number, options?: CallData): Result;
    /** SEND_DTMF_SIGNAL_REQ. */
    sendDTMF(call: CallRef, digits: string): Result;
    /** USER_MESSAGE_REQ: to a ClientID (`to`), or by `distribution`: the agent's supervisor, its team, every client. */
    userMessage(text: string, options?: { to?: string; distribution?: 'DISTRIBUTE_TO_CLIENT' | 'DISTRIBUTE_TO_SUPERVISOR' | 'DISTRIBUTE_TO_TEAM' | 'DISTRIBUTE_TO_ALL_CLIENTS' | number }): Result;
    /** SNAPSHOT_CALL_REQ. */
    snapshot(call: CallRef): Result;
    /** SNAPSHOT_DEVICE_REQ for a device (default: the session's instrument); message.DeviceCalls lists its calls. */
    snapshotDevice(device?: string | number): Result;
    /** MONITOR_START_REQ for a device (an extension) or a call; result.monitorId, which the monitored events carry in MonitorID. Masks default to the session's. */
    monitor(target: string | number | CallRef, masks?: { call?: number | string; agentState?: number | string }): Result;
    /** MONITOR_STOP_REQ: a monitor ID, or the result of monitor(). */
    stopMonitor(monitor: number | Result): Result;
    /** SUPERVISE_CALL_REQ for an agent's call: barge in, intercept, leave again (CLEAR), silent monitor or whisper. The supervisor's phone is the session's instrument. */
    supervise(call: CallRef, action: SupervisoryActionName | string | number): Result;
    /** SUPERVISOR_ASSIST_REQ: the CTI Server calls the agent's team supervisor, from the agent's call (a consultation) or, without one, on a new call; message.ConnectionCallID is the new call. */
    supervisorAssist(call?: CallRef): Result;
    /** EMERGENCY_CALL_REQ: as supervisorAssist(), for an emergency. */
    emergencyCall(call?: CallRef): Result;
    /** Any request by name, fields by protocol name (InvokeID is assigned). */
    request(name: RequestName, fields?: { [field: string]: any }): Result;
    /** The session's counters. */
    stats(): SessionStats;
    /** CLOSE_REQ; closing twice does nothing. */
    close(): void;
    /** true once close() was called, or once the server or the network ended the session (already when the request the loss cut off returns; later requests fail with E_NOT_SENT). */
    readonly closed: boolean;
  }

  /**
   * Opens a session (TCP, OPEN_REQ, OPEN_CONF). target '' or 'sim' is the run's target: the
   * built-in simulator, or --target. Not in init code. Throws when the session cannot open.
   */
  export function connect(target: string, options: ConnectOptions): Session;

  /** The numbers the run's built-in simulator answers to (its flags and options.simulator, defaults filled in). */
  export interface SimulatorInfo {
    /** 'UCCE' or 'UCCX'. */
    readonly product: string;
    /** host:port, or 'A,B' for a duplex pair. */
    readonly target: string;
    readonly agents: number;
    readonly firstAgentId: number;
    readonly firstExtension: number;
    /** What callers dial to reach the first skill group's queue: 8000, or a longer number when the extensions reach 8000. */
    readonly dialedNumber: string;
    readonly peripheralId: number;
  }

  /** The run's built-in simulator; null against --target and while the options are read (it starts once they are known). */
  export const simulator: SimulatorInfo | null;

  const cti: { connect: typeof connect; readonly simulator: SimulatorInfo | null };
  export default cti;

  /** Events a server sends (cti/catalog/messages.txt). */
  export type EventName =
  | 'AGENT_INIT_READY_EVENT' | 'AGENT_INIT_RESP' | 'AGENT_INTERRUPT_ADVISORY_EVENT'
  | 'AGENT_INTERRUPT_DONE_ADVISORY_EVENT' | 'AGENT_LEGACY_PRE_CALL_EVENT'
  | 'AGENT_MADE_NOT_ROUTABLE_EVENT' | 'AGENT_PRE_CALL_ABORT_EVENT' | 'AGENT_PRE_CALL_EVENT'
  | 'AGENT_STATE_EVENT' | 'AGENT_TASKS_END_EVENT' | 'AGENT_TASKS_EVENT' | 'AGENT_TASKS_RESP'
  | 'AGENT_TEAM_CONFIG_EVENT' | 'BEGIN_CALL_EVENT' | 'BEGIN_TASK_EVENT'
  | 'CALL_AGENT_GREETING_EVENT' | 'CALL_CLEARED_EVENT' | 'CALL_CONFERENCED_EVENT'
  | 'CALL_CONNECTION_CLEARED_EVENT' | 'CALL_DATA_UPDATE_EVENT' | 'CALL_DELIVERED_EVENT'
  | 'CALL_DEQUEUED_EVENT' | 'CALL_DIVERTED_EVENT' | 'CALL_ESTABLISHED_EVENT' | 'CALL_FAILED_EVENT'
  | 'CALL_HELD_EVENT' | 'CALL_ORIGINATED_EVENT' | 'CALL_QUEUED_EVENT'
  | 'CALL_REACHED_NETWORK_EVENT' | 'CALL_RETRIEVED_EVENT' | 'CALL_SERVICE_INITIATED_EVENT'
  | 'CALL_TERMINATION_EVENT'
  | 'CALL_TRANSFERRED_EVENT' | 'CALL_TRANSLATION_ROUTE_EVENT' | 'CHANGE_MAX_TASK_LIMIT_RESP'
  | 'CLIENT_SESSION_CLOSED_EVENT' | 'CLIENT_SESSION_OPENED_EVENT'
  | 'CONFIG_AGENT_DESK_SETTINGS_EVENT' | 'CONFIG_AGENT_EVENT' | 'CONFIG_AGENT_SERVICE_EVENT'
  | 'CONFIG_BEGIN_EVENT' | 'CONFIG_CALL_TYPE_EVENT' | 'CONFIG_DEVICE_EVENT' | 'CONFIG_END_EVENT'
  | 'CONFIG_KEY_EVENT' | 'CONFIG_MRD_EVENT' | 'CONFIG_PERIPHERAL_EVENT' | 'CONFIG_SERVICE_EVENT'
  | 'CONFIG_SKILL_GROUP_EVENT' | 'CONFIG_TERMINAL_EVENT' | 'DEQUEUED_TASK_EVENT'
  | 'EMERGENCY_CALL_EVENT' | 'END_CALL_EVENT' | 'END_TASK_EVENT' | 'FAILURE_EVENT' | 'FAILURE_RESP'
  | 'GET_PRECALL_MESSAGES_RESP' | 'MAKE_AGENT_NOT_READY_RESP' | 'MAKE_AGENT_NOT_ROUTABLE_RESP'
  | 'MAX_TASK_LIFETIME_EXCEEDED_EVENT' | 'MEDIA_LOGIN_RESP' | 'NETWORK_RECORDING_ENDED_EVENT'
  | 'NETWORK_RECORDING_FAILED_EVENT' | 'NETWORK_RECORDING_STARTED_EVENT'
  | 'NETWORK_RECORDING_TARGET_INFO_EVENT' | 'OFFER_APPLICATION_TASK_RESP' | 'OFFER_TASK_EVENT'
  | 'OVERRIDE_LIMIT_RESP' | 'PAUSE_TASK_EVENT' | 'QUEUED_TASK_EVENT' | 'RESUME_TASK_EVENT'
  | 'ROUTE_REGISTER_REPLY_EVENT' | 'ROUTE_REQUEST_EVENT' | 'RTP_STARTED_EVENT'
  | 'RTP_STOPPED_EVENT' | 'SNAPSHOT_TASK_EVENT' | 'SNAPSHOT_TASK_RESP' | 'STANDBY_ACTIVE_EVENT_MSG'
  | 'START_APPLICATION_TASK_RESP' | 'START_TASK_EVENT' | 'SUPERVISOR_ASSIST_EVENT' | 'SYSTEM_EVENT'
  | 'TASK_DATA_UPDATE_EVENT' | 'TASK_INIT_RESP' | 'TEAM_CONFIG_EVENT' | 'USER_MESSAGE_EVENT'
  | 'WRAPUP_TASK_EVENT'  ;

  /**
   * Requests session.request() can build from fields: the catalogued requests with a field layout
   * (cti/catalog/messages.txt). Raw ones (CHANGE_MONITOR_MASK_REQ, REGISTER_VARIABLES_REQ, …) are refused.
   */
  export type RequestName =
  | 'ALTERNATE_CALL_REQ' | 'ANSWER_CALL_REQ' | 'BAD_CALL_REQ' | 'CLEAR_CALL_REQ'
  | 'CLEAR_CONNECTION_REQ' | 'CLIENT_EVENT_REPORT_REQ' | 'CLOSE_REQ' | 'CONFERENCE_CALL_REQ'
  | 'CONSULTATION_CALL_REQ' | 'DEFLECT_CALL_REQ' | 'EMERGENCY_CALL_REQ' | 'HEARTBEAT_REQ'
  | 'HOLD_CALL_REQ' | 'MAKE_CALL_REQ' | 'MONITOR_START_REQ' | 'MONITOR_STOP_REQ'
  | 'OPEN_REQ' | 'QUERY_AGENT_QUEUE_STATISTICS_REQ' | 'QUERY_AGENT_STATE_REQ' | 'QUERY_AGENT_STATISTICS_REQ'
  | 'QUERY_DEVICE_INFO_REQ' | 'QUERY_SKILL_GROUP_STATISTICS_REQ' | 'RECONNECT_CALL_REQ' | 'RELEASE_CALL_REQ'
  | 'RETRIEVE_CALL_REQ' | 'SEND_DTMF_SIGNAL_REQ' | 'SET_AGENT_STATE_REQ' | 'SET_CALL_DATA_REQ'
  | 'SNAPSHOT_CALL_REQ' | 'SNAPSHOT_DEVICE_REQ' | 'SUPERVISE_CALL_REQ' | 'SUPERVISOR_ASSIST_REQ'
  | 'TEAM_CONFIG_REQ' | 'TRANSFER_CALL_REQ' | 'USER_MESSAGE_REQ'
  ;
}

// ---------------------------------------------------------------------------------------------
// ctiload/metrics (alias k6/metrics): custom metrics, created in init code

declare module 'ctiload/metrics' {
  type Tags = { [name: string]: string };
  abstract class Metric {
    /** The metric's name. */
    readonly name: string;
    /** Records value (true counts as 1) with the iteration's tags and tags. Not in init code. */
    add(value: number | boolean, tags?: Tags): void;
  }
  /** A sum: count and rate (per second) in the summary and thresholds. */
  export class Counter extends Metric {
    constructor(name: string);
  }
  /** The last value: value, min, max. */
  export class Gauge extends Metric {
    constructor(name: string);
  }
  /** The share of non-zero values: rate, passes, fails, count. */
  export class Rate extends Metric {
    constructor(name: string);
  }
  /** A distribution: count, avg, min, med, max, p(N). isTime: values are milliseconds. */
  export class Trend extends Metric {
    constructor(name: string, isTime?: boolean);
  }
}

declare module 'k6/metrics' {
  export * from 'ctiload/metrics';
}

// ---------------------------------------------------------------------------------------------
// ctiload/data (alias k6/data): data shared by every VU

declare module 'ctiload/data' {
  /**
   * An array built once per run by fn (in init code), stored once and read by every VU through a
   * read-only view. Its elements must be JSON values.
   */
  export class SharedArray<T = any> {
    constructor(name: string, fn: () => T[]);
    readonly length: number;
    readonly [index: number]: T;
    [Symbol.iterator](): IterableIterator<T>;
    map<U>(fn: (value: T, index: number) => U): U[];
    filter(fn: (value: T, index: number) => boolean): T[];
    forEach(fn: (value: T, index: number) => void): void;
    slice(start?: number, end?: number): T[];
  }
  /** Parses CSV: an array of rows (arrays of strings), or with header: true objects keyed by the first row. */
  export function csv(text: string, options: { header: true; delimiter?: string }): Array<{ [column: string]: string }>;
  export function csv(text: string, options?: { header?: false; delimiter?: string }): string[][];
}

declare module 'k6/data' {
  export * from 'ctiload/data';
}

// ---------------------------------------------------------------------------------------------
// ctiload/summary: handleSummary's helpers (alias: k6's jslib https://jslib.k6.io/k6-summary/…/index.js)

declare module 'ctiload/summary' {
  /** One metric or sub-metric of the summary data. */
  export interface SummaryMetric {
    name: string;
    /** "name" or "name{tag:value}". */
    key: string;
    type: 'counter' | 'gauge' | 'rate' | 'trend';
    contains: 'default' | 'time';
    tags?: { [tag: string]: string };
    /** count, rate, avg, min, med, max, p(90), p(95)… as the metric's type has them. */
    values: { [stat: string]: number };
    /** A trend's HdrHistogram (V2, compressed, base64). */
    histogram?: string;
  }
  /**
   * handleSummary's argument: the summary export (the JSON of --summary-export, format
   * "ctiload-summary/1"). The tables of the text summary are under summary.
   */
  export interface SummaryData {
    format: string;
    run: { script?: string; target?: string; seed?: number; version?: string; [key: string]: any };
    start_time: string;
    duration: string;
    segment?: string;
    metrics: SummaryMetric[];
    thresholds?: Array<{ metric: string; source: string; passed: boolean; observed: number; no_data?: boolean; [key: string]: any }>;
    scenarios: Array<{ name: string; executor: string; iterations: number; failed: number; interrupted: number; dropped: number; vus_max: number }>;
    interrupted?: boolean;
    error?: string;
    error_code?: number;
    summary?: { verdict: { status: string; exit_code: number; [key: string]: any }; [key: string]: any };
    [key: string]: any;
  }
  /** The end-of-test text summary of data, from the same reporter as ctiload's own. */
  export function textSummary(data: SummaryData, options?: { enableColors?: boolean; indent?: string }): string;
}

declare module 'https://jslib.k6.io/k6-summary/0.0.2/index.js' {
  export * from 'ctiload/summary';
}

// ---------------------------------------------------------------------------------------------
// ctiload/execution (alias k6/execution): where the running code is in the test

declare module 'ctiload/execution' {
  /** The running iteration's scenario; reading it outside an iteration throws. */
  export const scenario: {
    /** The scenario's name. */
    readonly name: string;
    /** The iteration's number in the scenario, unique across the execution segments of a test. */
    readonly iterationInTest: number;
    /** When the scenario started, in ms since the epoch. */
    readonly startTime: number;
  };
  export const vu: {
    /** The VU's number in the whole test (__VU), unique across scenarios and segments. */
    readonly idInTest: number;
    /** The VU's iteration count in its scenario, from 0 (__ITER). Inside iterations only. */
    readonly iterationInScenario: number;
  };
  export const instance: {
    /** VUs of this process running an iteration or waiting for one. */
    readonly vusActive: number;
    /** Milliseconds since the scenarios started. */
    readonly currentTestRunDuration: number;
  };
  export const test: {
    /** Stops the whole test at once: no new iterations, the reports are written, exit code 108. */
    abort(reason?: string): never;
  };
}

declare module 'k6/execution' {
  export * from 'ctiload/execution';
}
