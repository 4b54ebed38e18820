package pipeline

import (
	"context"
	"log/slog"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/load/clickhouse"
	"github.com/shopetl/shopetl/state"
)

// OpenState opens the job's state store (state.backend) for a run or a
// reset: file creates the state folder; clickhouse connects to the
// ClickHouse sink's server and creates its state tables. close releases
// it.
func OpenState(ctx context.Context, spec *jobspec.Spec, runID string, log *slog.Logger) (st state.Store, close func(), err error) {
	if spec.State.Backend == "clickhouse" {
		cfg := ClickHouseConfig(spec)
		cfg.Logger = log
		s, err := clickhouse.OpenState(ctx, cfg, clickhouse.StateOptions{Job: spec.Name, RunID: runID, Lease: spec.State.Lease, Log: log})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { _ = s.Close() }, nil
	}
	f, err := state.NewFile(spec.ResolvePath(spec.State.Path), spec.Name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() {}, nil
}

// ReadState opens the job's state store to read: a state folder that does
// not exist is not created (and holds no state).
func ReadState(ctx context.Context, spec *jobspec.Spec, log *slog.Logger) (st state.Store, close func(), err error) {
	if spec.State.Backend == "clickhouse" {
		return OpenState(ctx, spec, "", log)
	}
	return state.ReadFile(spec.ResolvePath(spec.State.Path), spec.Name), func() {}, nil
}
