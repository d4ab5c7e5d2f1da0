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
	members, order, err := readAgentGroups(f.agentsCSV)
	if err != nil {
		return groups, errors.Join(append(errs, fmt.Errorf("--agents-csv: %w", err))...)
	}
	for _, n := range order {
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

// readAgentGroups reads a CSV with a header naming agentId and skillGroups: the members of each
// group, and the groups in the order they first appear.
func readAgentGroups(path string) (map[uint32][]string, []uint32, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer file.Close()
	r := csv.NewReader(file)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading the header: %v", path, err)
	}
	idCol, sgCol := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "agentid":
			idCol = i
		case "skillgroups", "skillgroup":
			sgCol = i
		}
	}
	if idCol < 0 || sgCol < 0 {
		return nil, nil, fmt.Errorf("%s: the header needs the columns agentId and skillGroups (has %s)", path, strings.Join(header, ","))
	}
	members := map[uint32][]string{}
	var order []uint32
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
		if len(rec) <= max(idCol, sgCol) {
			return nil, nil, fmt.Errorf("%s:%d: want the columns agentId and skillGroups", path, line)
		}
		id := strings.TrimSpace(rec[idCol])
		for _, s := range strings.FieldsFunc(rec[sgCol], func(r rune) bool { return r == ';' || r == ' ' || r == '|' }) {
			n, err := strconv.ParseUint(s, 10, 32)
			if err != nil || n == 0 {
				return nil, nil, fmt.Errorf("%s:%d: skill group %q is not a number above 0", path, line, s)
			}
			g := uint32(n)
			if _, seen := members[g]; !seen {
				order = append(order, g)
			}
			members[g] = append(members[g], id)
		}
	}
	return members, order, nil
}
