package main

import (
	"encoding/json"
	"os"

	"github.com/ctiload/ctiload/engine"
	"github.com/ctiload/ctiload/engine/executor"
	"github.com/ctiload/ctiload/reports"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// inspectOutput is what ctiload inspect prints: the run the same flags would start.
type inspectOutput struct {
	Script     string                              `json:"script"`
	Exports    []string                            `json:"exports"`
	Options    json.RawMessage                     `json:"script_options"` // as the script exports them
	Scenarios  map[string]executor.Config          `json:"scenarios"`
	Shapes     []reports.ScenarioInfo              `json:"shapes"`
	Thresholds map[string][]engine.ThresholdConfig `json:"thresholds,omitempty"`
	Segment    string                              `json:"execution_segment,omitempty"`
	Sequence   string                              `json:"execution_segment_sequence,omitempty"`
	TrendStats []string                            `json:"summary_trend_stats"`
	MaxVUs     int64                               `json:"max_vus"`
	MaxTime    executor.Duration                   `json:"max_duration"` // latest end of a scenario, gracefulStop included
	Target     string                              `json:"target"`
	Simulator  *inspectSim                         `json:"simulator,omitempty"`
	CTI        inspectSafety                       `json:"cti"`  // options.cti under the --max-*-rate flags
	Seed       *int64                              `json:"seed"` // null: a new seed per run
	Warnings   []string                            `json:"warnings,omitempty"`
}

type inspectSafety struct {
	OpenBackoff struct {
		Initial executor.Duration `json:"initial"`
		Max     executor.Duration `json:"max"`
		Factor  float64           `json:"factor"`
	} `json:"open_backoff"`
	AbortOnOpenFailures int     `json:"abort_on_open_failures"` // 0: never
	MaxRequestRate      float64 `json:"max_request_rate"`       // per second, 0: no cap
	MaxOpenRate         float64 `json:"max_open_rate"`
}

type inspectSim struct {
	Product       string            `json:"product"`
	Versions      []uint32          `json:"versions,omitempty"`
	Agents        int               `json:"agents"`
	FirstAgentID  int               `json:"first_agent_id"`
	FirstExt      int               `json:"first_extension"`
	CallRate      float64           `json:"call_rate"`
	Duplex        bool              `json:"duplex,omitempty"`
	FailoverAfter executor.Duration `json:"failover_after,omitempty"`
	FailAAfter    executor.Duration `json:"fail_a_after,omitempty"`
	Faults        string            `json:"faults,omitempty"`
}

func newInspectCmd() *cobra.Command {
	var o optionFlags
	cmd := &cobra.Command{
		Use:   "inspect SCRIPT",
		Short: "Print the options and scenarios a run of the script would use, as JSON",
		Long: `inspect loads a script and prints, as JSON, what "ctiload run" would run with the same flags and
environment: the resolved scenarios with every default filled in, their shapes, the thresholds,
the target (or the built-in simulator's settings) and the script's exported functions. Nothing
connects anywhere.`,
		Example: `  ctiload inspect script.js
  ctiload inspect --vus 20 --duration 1m script.js | jq .scenarios`,
		Args: exactArgs(1, "a script: ctiload inspect SCRIPT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			env, err := o.buildEnv(os.Environ())
			if err != nil {
				return &exitError{code: exitInvalidOptions, err: err}
			}
			script, err := loadScript(args[0], env, nil, o.allowOutside)
			if err != nil {
				return err
			}
			p := &plan{scriptPath: args[0], script: script, env: env}
			if err := o.resolve(p, os.Getenv); err != nil {
				return err
			}
			out := inspectOutput{
				Script: args[0], Exports: script.Exports(), Options: script.OptionsJSON(),
				Scenarios: p.config.Scenarios, Shapes: reports.DescribeScenarios(p.config.Scenarios),
				Thresholds: p.config.Thresholds, Segment: p.config.Segment, Sequence: p.config.SegmentSequence,
				TrendStats: p.trendStats, Target: p.target, Warnings: p.warnings, CTI: inspectSafety{
					AbortOnOpenFailures: p.safety.AbortOnOpenFailures, MaxRequestRate: p.safety.MaxRequestRate, MaxOpenRate: p.safety.MaxOpenRate},
			}
			b := p.safety.OpenBackoff
			out.CTI.OpenBackoff.Initial, out.CTI.OpenBackoff.Max, out.CTI.OpenBackoff.Factor = executor.Duration(b.Initial), executor.Duration(b.Max), b.Factor
			if out.TrendStats == nil {
				out.TrendStats = reports.DefaultLatencyColumns
			}
			for _, sc := range p.config.Scenarios {
				_, most := sc.VUsFor(executor.FullPartition())
				out.MaxVUs += most
			}
			out.MaxTime = executor.Duration(scenariosEnd(p.config.Scenarios))
			if o.changed("seed") {
				out.Seed = &p.seed
			}
			if p.sim != nil {
				c := p.sim.cfg
				out.Target = "built-in simulator"
				out.Simulator = &inspectSim{Product: c.Product.String(), Versions: c.Versions, Agents: c.Agents.Count,
					FirstAgentID: c.Agents.FirstID, FirstExt: c.Agents.FirstExtension, CallRate: c.Calls.Rate,
					Duplex: p.sim.duplex, FailoverAfter: executor.Duration(p.sim.failoverAfter),
					FailAAfter: executor.Duration(p.sim.failAAfter), Faults: p.sim.faults}
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(out)
		},
	}
	cmd.SetFlagErrorFunc(flagError)
	fs := pflag.NewFlagSet("inspect", pflag.ContinueOnError)
	o.register(fs)
	cmd.Flags().AddFlagSet(fs)
	return cmd
}
