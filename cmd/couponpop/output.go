package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/spf13/cobra"
)

// tableWidth is the most columns a table may take.
const tableWidth = 80

// table is rows of cells printed aligned by display width (Hangul takes
// two columns), with column flex shrunk (truncated with …) so that a row
// fits tableWidth.
type table struct {
	header []string
	rows   [][]string
	flex   int
}

func (t *table) add(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = fmt.Sprint(c)
	}
	t.rows = append(t.rows, row)
}

func (t *table) write(w io.Writer) error {
	widths := make([]int, len(t.header))
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, c := range row {
			widths[i] = max(widths[i], runewidth.StringWidth(c))
		}
	}
	total := 2 * (len(widths) - 1)
	for _, w := range widths {
		total += w
	}
	if over := total - tableWidth; over > 0 {
		widths[t.flex] = max(widths[t.flex]-over, 4)
	}
	bw := bufio.NewWriter(w)
	for _, row := range append([][]string{t.header}, t.rows...) {
		var line strings.Builder
		for i, c := range row {
			c = runewidth.Truncate(c, widths[i], "…")
			if i < len(row)-1 {
				c = runewidth.FillRight(c, widths[i]) + "  "
			}
			line.WriteString(c)
		}
		fmt.Fprintln(bw, strings.TrimRight(line.String(), " "))
	}
	return bw.Flush()
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// addJSONFlag adds --json to a read command.
func addJSONFlag(cmd *cobra.Command, asJSON *bool) {
	cmd.Flags().BoolVar(asJSON, "json", false, "print JSON instead of a table")
}

// confirm asks question on stderr and reads y/yes from stdin, unless
// --yes was given. No answer (end of input) is no.
func confirm(cmd *cobra.Command, question string) error {
	if yes, _ := cmd.Flags().GetBool("yes"); yes {
		return nil
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "%s [y/N] ", question)
	line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return fmt.Errorf("not confirmed; nothing done (pass --yes to skip the question)")
}
