package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

func main() {
	src, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	_, diags := hclsyntax.ParseConfig(src, os.Args[1], hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		fmt.Fprintln(os.Stderr, diags.Error())
		os.Exit(1)
	}
	out := hclwrite.Format(src)
	if !bytes.Equal(out, src) {
		os.Stdout.Write(out)
		os.Exit(3)
	}
}
