package main

import (
	"flag"
	"io"

	"github.com/urfave/cli/v2"
)

// interspersedFlags reads flags given after the positional arguments too
// (urfave/cli stops parsing at the first argument). get returns a flag's
// value: from after the arguments when given there, else as urfave parsed it.
func interspersedFlags(c *cli.Context, flags []cli.Flag) (args []string, get func(name string) any, err error) {
	fs := flag.NewFlagSet(c.Command.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, f := range flags {
		if err := f.Apply(fs); err != nil {
			return nil, nil, err
		}
	}
	rest := c.Args().Slice()
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return nil, nil, err
		}
		rest = fs.Args()
		if len(rest) > 0 {
			args = append(args, rest[0])
			rest = rest[1:]
		}
	}
	late := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { late[f.Name] = true })
	return args, func(name string) any {
		if late[name] {
			return fs.Lookup(name).Value.(flag.Getter).Get()
		}
		return c.Value(name)
	}, nil
}
