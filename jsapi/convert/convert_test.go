package convert

import (
	"strings"
	"testing"
)

// A hand-written trace: an agent desktop (5001 on 1001) logs in with a password the trace did
// not redact, goes READY, gets an inbound call from the network, answers it, asks for a
// transition the server refuses, and closes; a second client (5002) only opens and closes.
const sampleTrace = `{"time":"2026-03-04T10:00:00Z","dir":"out","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":90,"type":3,"name":"OPEN_REQ","fields":{"InvokeID":1,"VersionNumber":24,"IdleTimeout":20,"PeripheralID":5000,"ServicesRequested":"CTI_SERVICE_CLIENT_EVENTS|CTI_SERVICE_CLIENT_CONTROL","CallMsgMask":65535,"AgentStateMask":1023,"ConfigMsgMask":0,"ClientID":"desk","ClientPassword":"client-secret","AgentExtension":"1001","AgentID":"5001","AgentInstrument":"1001"}}
{"time":"2026-03-04T10:00:00.010Z","dir":"in","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":40,"type":4,"name":"OPEN_CONF","fields":{"InvokeID":1}}
{"time":"2026-03-04T10:00:00.100Z","dir":"out","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":60,"type":38,"name":"SET_AGENT_STATE_REQ","fields":{"InvokeID":2,"PeripheralID":5000,"AgentState":"AGENT_STATE_LOGIN","EventReasonCode":0,"AgentInstrument":"1001","AgentID":"5001","AgentPassword":"hunter2"}}
{"time":"2026-03-04T10:00:00.110Z","dir":"in","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":12,"type":39,"name":"SET_AGENT_STATE_CONF","fields":{"InvokeID":2}}
{"time":"2026-03-04T10:00:00.111Z","dir":"in","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":80,"type":30,"name":"AGENT_STATE_EVENT","fields":{"PeripheralID":5000,"AgentState":"AGENT_STATE_NOT_READY","AgentID":"5001"}}
{"time":"2026-03-04T10:00:05.100Z","dir":"out","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":60,"type":38,"name":"SET_AGENT_STATE_REQ","fields":{"InvokeID":3,"PeripheralID":5000,"AgentState":"AGENT_STATE_AVAILABLE","AgentInstrument":"1001","AgentID":"5001"}}
{"time":"2026-03-04T10:00:05.110Z","dir":"in","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":12,"type":39,"name":"SET_AGENT_STATE_CONF","fields":{"InvokeID":3}}
{"time":"2026-03-04T10:00:07Z","dir":"in","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":120,"type":9,"name":"CALL_DELIVERED_EVENT","fields":{"MonitorID":0,"PeripheralID":5000,"ConnectionCallID":777,"ConnectionDeviceIDType":"CONNECTION_ID_DYNAMIC","ConnectionDeviceID":"1001","ANI":"4085550100","DNIS":"8000"}}
{"time":"2026-03-04T10:00:08Z","dir":"out","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":60,"type":42,"name":"ANSWER_CALL_REQ","fields":{"InvokeID":4,"PeripheralID":5000,"ConnectionCallID":777,"ConnectionDeviceIDType":"CONNECTION_ID_DYNAMIC","ConnectionDeviceID":"1001","AgentInstrument":"1001"}}
{"time":"2026-03-04T10:00:08.010Z","dir":"in","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":12,"type":43,"name":"ANSWER_CALL_CONF","fields":{"InvokeID":4}}
{"time":"2026-03-04T10:00:09Z","dir":"out","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":60,"type":38,"name":"SET_AGENT_STATE_REQ","fields":{"InvokeID":5,"PeripheralID":5000,"AgentState":"AGENT_STATE_LOGOUT","AgentInstrument":"1001","AgentID":"5001"}}
{"time":"2026-03-04T10:00:09.010Z","dir":"in","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":16,"type":35,"name":"CONTROL_FAILURE_CONF","fields":{"InvokeID":5,"FailureCode":"CF_INVALID_AGENT_STATE","PeripheralErrorCode":0}}
{"time":"2026-03-04T10:00:09.5Z","dir":"out","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":12,"type":5,"name":"HEARTBEAT_REQ","fields":{"InvokeID":6}}
{"time":"2026-03-04T10:00:10Z","dir":"out","session":"desk1","addr":"10.0.0.1:42027","version":"UCCE v24","size":12,"type":7,"name":"CLOSE_REQ","fields":{"InvokeID":7,"Status":0}}
{"time":"2026-03-04T10:00:01Z","dir":"out","session":"desk2","addr":"10.0.0.1:42027","version":"UCCE v24","size":90,"type":3,"name":"OPEN_REQ","fields":{"InvokeID":1,"VersionNumber":24,"IdleTimeout":20,"PeripheralID":5000,"ServicesRequested":"CTI_SERVICE_CLIENT_EVENTS","CallMsgMask":0,"AgentStateMask":0,"ConfigMsgMask":0,"ClientID":"desk","ClientPassword":"","AgentID":"5002","AgentInstrument":"1002"}}
{"time":"2026-03-04T10:00:03Z","dir":"out","session":"desk2","addr":"10.0.0.1:42027","version":"UCCE v24","size":12,"type":7,"name":"CLOSE_REQ","fields":{"InvokeID":2,"Status":0}}
`

func convertSample(t *testing.T, o Options) (string, Result) {
	t.Helper()
	cs, notes, err := ReadTrace(strings.NewReader(sampleTrace))
	if err != nil {
		t.Fatal(err)
	}
	src, res, err := Script(cs, notes, o)
	if err != nil {
		t.Fatal(err)
	}
	return string(src), res
}

func TestScriptFromTrace(t *testing.T) {
	src, res := convertSample(t, Options{Source: "sample.ndjson"})
	if res.Clients != 2 || res.Requests != 4 {
		t.Errorf("result %+v", res)
	}
	for _, secret := range []string{"hunter2", "client-secret"} {
		if strings.Contains(src, secret) {
			t.Errorf("the script copies the password %q", secret)
		}
	}
	for _, want := range []string{
		"from sample.ndjson: 2 client connection(s), 4 requests",
		"AgentPassword: AGENT_PASSWORD",
		"password: __ENV.CTI_CLIENT_PASSWORD || ''",
		`const C1 = identity(1, { agentId: "5001", instrument: "1001", extension: "1001" });`,
		// The reply checks: the type, and the code of a failure.
		`}), "SET_AGENT_STATE_CONF"); // line 4`,
		`}), "CONTROL_FAILURE_CONF", "CF_INVALID_AGENT_STATE"); // line 12`,
		// The inbound call is awaited, its call ID carried into the answer.
		`const ev1 = event(s, "c1 line 8", "CALL_DELIVERED_EVENT", '10s');`,
		"ConnectionCallID: ev1.ConnectionCallID",
		"ConnectionDeviceID: C1.instrument",
		"An inbound call from the network",
		`callRate: '0.1429/s', dialedNumber: "8000", ani: ["4085550100"]`,
		`event(s, "c1 line 5", "AGENT_STATE_EVENT", '10s', { AgentState: "AGENT_STATE_NOT_READY" });`,
		"1 HEARTBEAT_REQ: each session sends its own",
		"at(t0, 5.1);",
		"c2: { executor: 'per-vu-iterations', vus: 1, iterations: 1, exec: 'c2', startTime: '1s'",
		"s.close(); // line 14",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	if strings.Contains(src, "777") {
		t.Errorf("the captured call ID is copied instead of taken from the event")
	}
}

func TestScriptTimingAndSelection(t *testing.T) {
	src, _ := convertSample(t, Options{Timing: TimingCompressed, Agents: []string{"5001"}})
	if !strings.Contains(src, "1 client connection(s)") || strings.Contains(src, "export function c2") {
		t.Errorf("--agent 5001 keeps more than its client")
	}
	// Compressed: the 5 s pause before READY becomes 1 s; the later steps follow.
	for _, want := range []string{"at(t0, 0.1);", "at(t0, 1.1);", "at(t0, 2.1);", "at(t0, 3.1);"} {
		if !strings.Contains(src, want) {
			t.Errorf("compressed timing lacks %q", want)
		}
	}
	src, _ = convertSample(t, Options{Timing: TimingNone, Clients: []string{"desk2"}})
	if strings.Contains(src, "at(t0") || !strings.Contains(src, `agentId: "5002"`) {
		t.Errorf("--timing none --client desk2:\n%s", src)
	}
	cs, _, _ := ReadTrace(strings.NewReader(sampleTrace))
	if _, _, err := Script(cs, nil, Options{Agents: []string{"9999"}}); err == nil || !strings.Contains(err.Error(), "desk1 (agent 5001)") {
		t.Errorf("an agent not in the input: %v", err)
	}
	if _, err := ParseTiming("fast"); err == nil {
		t.Errorf("ParseTiming accepts fast")
	}
}

func TestReadTraceErrors(t *testing.T) {
	for in, want := range map[string]string{
		"{\"dir\":\"out\"}\nnot json\n":      "line 2: not a trace line",
		`{"dir":"sideways","type":3}` + "\n": `dir "sideways"`,
	} {
		if _, _, err := ReadTrace(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}

// A client whose OPEN_REQ the capture missed opens with the identity of its first request.
func TestScriptWithoutOpen(t *testing.T) {
	trace := `{"dir":"out","session":"late","version":"UCCE v20","type":38,"name":"SET_AGENT_STATE_REQ","fields":{"InvokeID":9,"PeripheralID":5000,"AgentState":"AGENT_STATE_AVAILABLE","AgentInstrument":"1007","AgentID":"5007"}}
{"dir":"in","session":"late","version":"UCCE v20","type":39,"name":"SET_AGENT_STATE_CONF","fields":{"InvokeID":9}}
`
	cs, notes, err := ReadTrace(strings.NewReader(trace))
	if err != nil {
		t.Fatal(err)
	}
	src, _, err := Script(cs, notes, Options{Timing: TimingNone})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"c1: the capture does not hold its OPEN_REQ",
		`const C1 = identity(1, { agentId: "5007", instrument: "1007" });`,
		"const s = cti.connect(TARGET, { version: 20, agentId: C1.agentId, instrument: C1.instrument, peripheralId: PERIPHERAL_ID });",
		`}), "SET_AGENT_STATE_CONF"); // line 2`,
		"simulator: { firstAgentId: 5007, firstExtension: 1007, agents: 2, peripheralId: 5000 }",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("script lacks %q\n%s", want, src)
		}
	}
}
