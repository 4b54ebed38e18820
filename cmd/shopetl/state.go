package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/shopetl/shopetl/jobspec"
	"github.com/shopetl/shopetl/pipeline"
)

func cmdState(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("state", stderr)
	reset := fs.Bool("reset", false, "forget a shop's watermark (needs --shop)")
	var shops stringList
	fs.Var(&shops, "shop", "shop to show or reset (repeatable)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagsFailed(fs, err, stdout, stderr)
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "usage:\n%s\n", usageLine("state"))
		return exitInvalid
	}
	spec, ok := loadSpec(pos[0], stderr, jobspec.WithoutSecrets()) // the file backend never uses them
	if ok && spec.State.Backend == "clickhouse" {
		spec, ok = loadSpec(pos[0], stderr) // the server's password
	}
	if !ok {
		return exitInvalid
	}
	ctx := context.Background()
	if *reset && len(shops) == 0 {
		fmt.Fprintln(stderr, "state: --reset needs --shop NAME")
		return exitInvalid
	}
	selected, err := pipeline.SelectShops(spec, pipeline.RunOptions{Shops: shops})
	if err != nil {
		fmt.Fprintln(stderr, "state:", err)
		return exitInvalid
	}
	if *reset {
		// A reset takes the shop's lock (a file in the state folder: the
		// only case where this command creates the folder) or lease.
		st, closeState, err := pipeline.OpenState(ctx, spec, pipeline.NewRunID(time.Now())+"-reset", nil)
		if err != nil {
			fmt.Fprintln(stderr, "state:", err)
			return exitNothing
		}
		defer closeState()
		for _, s := range selected {
			lease, err := st.Lock(ctx, s.Name)
			if err != nil {
				fmt.Fprintln(stderr, "state:", err)
				return exitShop
			}
			err = st.Reset(ctx, s.Name)
			lease.Release()
			if err != nil {
				fmt.Fprintln(stderr, "state:", err)
				return exitShop
			}
			fmt.Fprintf(stdout, "%s: watermark reset; the next run starts at %s\n", s.Name, s.Options.Start.Format("2006-01-02T15:04:05Z07:00"))
		}
		return exitOK
	}
	st, closeState, err := pipeline.ReadState(ctx, spec, nil)
	if err != nil {
		fmt.Fprintln(stderr, "state:", err)
		return exitNothing
	}
	defer closeState()
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SHOP\tPLATFORM\tWATERMARK (UTC)\tLAST RUN\tCOMMITTED")
	for _, s := range selected {
		ss, has, err := st.Load(ctx, s.Name)
		if err != nil {
			fmt.Fprintln(stderr, "state:", err)
			return exitShop
		}
		if !has {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\n", s.Name, s.Platform)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, s.Platform, ss.Watermark.UTC().Format("2006-01-02T15:04:05Z"), ss.RunID, ss.Committed.UTC().Format("2006-01-02T15:04:05Z"))
	}
	tw.Flush()
	return exitOK
}
