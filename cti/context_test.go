package cti

import (
	"reflect"
	"testing"
)

// TestCallContextCopiesWhatEachMessageCarries: the generated setter copies the fields a message
// has (SNAPSHOT_CALL_CONF has no customer numbers) with their Present marks, and the getter gives
// them back.
func TestCallContextCopiesWhatEachMessageCarries(t *testing.T) {
	cc := CallContext{ANI: "4085550100", CallVariable3: "v3", CustomerPhoneNumber: "555", NamedVariables: []NamedVariable{{Name: "user.x", Value: "1"}}}
	cc.Present.Add(TagCallWrapupData) // empty, but to be sent

	var up CallDataUpdateEvent
	up.SetCallContext(&cc)
	if up.ANI != "4085550100" || up.CallVariable3 != "v3" || up.CustomerPhoneNumber != "555" || len(up.NamedVariables) != 1 || !up.Present.Has(TagCallWrapupData) {
		t.Errorf("CALL_DATA_UPDATE_EVENT after SetCallContext: %+v", up)
	}
	if got := up.CallContext(); !reflect.DeepEqual(got, cc) {
		t.Errorf("CallContext() = %+v; want %+v", got, cc)
	}

	var sn SnapshotCallConf
	sn.SetCallContext(&cc)
	got := sn.CallContext()
	want := cc
	want.CustomerPhoneNumber = "" // not in SNAPSHOT_CALL_CONF
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SNAPSHOT_CALL_CONF CallContext() = %+v; want %+v", got, want)
	}
	// The empty wrap-up data marked present goes on the wire.
	b, err := up.Encode(nil, V24)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(MsgCallDataUpdateEvent, b[8:], V24)
	if err != nil {
		t.Fatal(err)
	}
	if !m.(*CallDataUpdateEvent).Present.Has(TagCallWrapupData) {
		t.Error("an empty CallWrapupData marked present was not sent")
	}
}
