package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/ctiload/ctiload/cti/sim"
)

// skillGroupConfig turns --skill-group and --agents-csv into the simulator's skill groups. A
// --skill-group without members takes them from the CSV; a group only the CSV names is added
// with no dialed number of its own.
func (f *simFlags) skillGroupConfig() ([]sim.SkillGroup, error) {
	var groups []sim.SkillGroup
	var errs []error
	for _, s := range f.skillGroupSpecs {
		g, err := sim.ParseSkillGroup(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("--skill-group: %w", err))
			continue
		}
		groups = append(groups, g)
	}
	if f.agentsCSV == "" {
		return groups, errors.Join(errs...)
	}
	file, err := readAgentsCSV(f.agentsCSV)
	if err != nil {
		return groups, errors.Join(append(errs, fmt.Errorf("--agents-csv: %w", err))...)
	}
	members := file.groups
	for _, n := range file.groupOrder {
		i := slices.IndexFunc(groups, func(g sim.SkillGroup) bool { return g.Number == n })
		if i < 0 {
			groups = append(groups, sim.SkillGroup{Number: n, Agents: members[n]})
			continue
		}
		if len(groups[i].Agents) > 0 {
			errs = append(errs, fmt.Errorf("--skill-group %d lists its agents and --agents-csv %s does too: give the members in one place", n, f.agentsCSV))
			continue
		}
		groups[i].Agents = members[n]
	}
	return groups, errors.Join(errs...)
}

// agentsCSV is what --agents-csv gives: the members of each skill group and of each team, and
// the groups and teams in the order they first appear.
type agentsCSV struct {
	groups     map[uint32][]string
	groupOrder []uint32
	teams      map[uint32][]string
	teamOrder  []uint32
}

// readAgentsCSV reads a CSV with a header naming agentId and skillGroups, team or both.
func readAgentsCSV(path string) (*agentsCSV, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	r := csv.NewReader(file)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header: %v", path, err)
	}
	idCol, sgCol, teamCol := -1, -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "agentid":
			idCol = i
		case "skillgroups", "skillgroup":
			sgCol = i
		case "team", "teamid":
			teamCol = i
		}
	}
	if idCol < 0 || (sgCol < 0 && teamCol < 0) {
		return nil, fmt.Errorf("%s: the header needs the columns agentId and skillGroups (or team) (has %s)", path, strings.Join(header, ","))
	}
	out := &agentsCSV{groups: map[uint32][]string{}, teams: map[uint32][]string{}}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if len(rec) <= max(idCol, sgCol, teamCol) {
			return nil, fmt.Errorf("%s:%d: want the columns %s", path, line, strings.Join(header, ","))
		}
		id := strings.TrimSpace(rec[idCol])
		if sgCol >= 0 {
			for _, s := range strings.FieldsFunc(rec[sgCol], func(r rune) bool { return r == ';' || r == ' ' || r == '|' }) {
				n, err := strconv.ParseUint(s, 10, 32)
				if err != nil || n == 0 {
					return nil, fmt.Errorf("%s:%d: skill group %q is not a number above 0", path, line, s)
				}
				g := uint32(n)
				if _, seen := out.groups[g]; !seen {
					out.groupOrder = append(out.groupOrder, g)
				}
				out.groups[g] = append(out.groups[g], id)
			}
		}
		if teamCol >= 0 {
			s := strings.TrimSpace(rec[teamCol])
			if s == "" {
				continue // in no team
			}
			n, err := strconv.ParseUint(s, 10, 32)
			if err != nil || n == 0 {
				return nil, fmt.Errorf("%s:%d: team %q is not a number above 0", path, line, s)
			}
			tm := uint32(n)
			if _, seen := out.teams[tm]; !seen {
				out.teamOrder = append(out.teamOrder, tm)
			}
			out.teams[tm] = append(out.teams[tm], id)
		}
	}
	return out, nil
}

// teamConfig turns --team and the agents CSV's team column into the simulator's teams. A --team
// without members takes them from the CSV; a team only the CSV names has no supervisor.
func (f *simFlags) teamConfig() ([]sim.Team, error) {
	var teams []sim.Team
	var errs []error
	for _, s := range f.teamSpecs {
		tm, err := sim.ParseTeam(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("--team: %w", err))
			continue
		}
		teams = append(teams, tm)
	}
	if f.agentsCSV == "" {
		return teams, errors.Join(errs...)
	}
	file, err := readAgentsCSV(f.agentsCSV)
	if err != nil {
		return teams, errors.Join(append(errs, fmt.Errorf("--agents-csv: %w", err))...)
	}
	for _, n := range file.teamOrder {
		i := slices.IndexFunc(teams, func(tm sim.Team) bool { return tm.ID == n })
		if i < 0 {
			teams = append(teams, sim.Team{ID: n, Agents: file.teams[n]})
			continue
		}
		if len(teams[i].Agents) > 0 {
			errs = append(errs, fmt.Errorf("--team %d lists its agents and --agents-csv %s does too: give the members in one place", n, f.agentsCSV))
			continue
		}
		teams[i].Agents = file.teams[n]
	}
	return teams, errors.Join(errs...)
}
