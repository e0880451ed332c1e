package main

import "github.com/urfave/cli/v2"

func pluginCommand() *cli.Command {
	return &cli.Command{Name: "plugin", Usage: "Work with PostHog plugins directly"}
}
