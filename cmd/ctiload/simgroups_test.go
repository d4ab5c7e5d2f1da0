package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctiload/ctiload/cti/sim"
)

func TestSkillGroupFlagsAndCSV(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "agents.csv")
	csv := "agentId,extension,skillGroups\n5000,1000,1\n5001,1001,1;2\n5002,1002,2 3\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	f := simFlags{skillGroupSpecs: []string{"2=8002", "4=8004:5003-5004"}, agentsCSV: csvPath}
	got, err := f.skillGroupConfig()
	if err != nil {
		t.Fatal(err)
	}
	want := []sim.SkillGroup{
		{Number: 2, DialedNumber: "8002", Agents: []string{"5001", "5002"}},
		{Number: 4, DialedNumber: "8004", Agents: []string{"5003", "5004"}},
		{Number: 1, Agents: []string{"5000", "5001"}},
		{Number: 3, Agents: []string{"5002"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("groups = %v; want %v", got, want)
	}

	f = simFlags{skillGroupSpecs: []string{"1=8001:5000"}, agentsCSV: csvPath}
	if _, err := f.skillGroupConfig(); err == nil || !strings.Contains(err.Error(), "--skill-group 1 lists its agents and --agents-csv") {
		t.Errorf("members in both places: %v", err)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("agentId,skillGroups\n5000,x\n"), 0o644)
	f = simFlags{agentsCSV: bad}
	if _, err := f.skillGroupConfig(); err == nil || !strings.Contains(err.Error(), `bad.csv:2: skill group "x" is not a number above 0`) {
		t.Errorf("bad group in the CSV: %v", err)
	}
	os.WriteFile(bad, []byte("id,groups\n"), 0o644)
	if _, err := f.skillGroupConfig(); err == nil || !strings.Contains(err.Error(), "needs the columns agentId and skillGroups") {
		t.Errorf("bad header: %v", err)
	}
}

// TestTeamFlagsAndCSV: --team with and without members, the CSV's team column filling the
// members of a --team that gives none and adding a team only it names, and the errors.
func TestTeamFlagsAndCSV(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "agents.csv")
	csv := "agentId,skillGroups,team\n5000,1,7\n5001,1,7\n5002,1,\n5003,1,8\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	f := simFlags{teamSpecs: []string{"7=Billing:5009", "9:5008:5004-5005"}, agentsCSV: csvPath}
	got, err := f.teamConfig()
	if err != nil {
		t.Fatal(err)
	}
	want := []sim.Team{
		{ID: 7, Name: "Billing", Supervisor: "5009", Agents: []string{"5000", "5001"}},
		{ID: 9, Supervisor: "5008", Agents: []string{"5004", "5005"}},
		{ID: 8, Agents: []string{"5003"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("teams = %v; want %v", got, want)
	}
	f = simFlags{teamSpecs: []string{"7:5009:5000"}, agentsCSV: csvPath}
	if _, err := f.teamConfig(); err == nil || !strings.Contains(err.Error(), "--team 7 lists its agents and --agents-csv") {
		t.Errorf("members in both places: %v", err)
	}
	f = simFlags{teamSpecs: []string{"x:5009"}}
	if _, err := f.teamConfig(); err == nil || !strings.Contains(err.Error(), "want ID[=NAME]:SUPERVISOR[:AGENTS]") {
		t.Errorf("bad --team: %v", err)
	}
	f = simFlags{teamSpecs: []string{"7:5009:5000", "8:5009:5000"}}
	teams, err := f.teamConfig()
	if err != nil {
		t.Fatal(err)
	}
	_, err = sim.New(sim.Config{Teams: teams})
	if err == nil || !strings.Contains(err.Error(), "agent 5000 is in teams 7 and 8") {
		t.Errorf("an agent in two teams: %v", err)
	}
}

// TestRunTenThousandAgents: the default extensions of 10,000 agents reach 8000, the default
// dialed number once; the simulator must still start.
func TestRunTenThousandAgents(t *testing.T) {
	runCLI(t, nil, "run", "-q", "--no-summary", "--sim-agents", "10000", "pass.js").want(t, 0)
}
