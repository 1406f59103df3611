// Command workflow-step is a workflow step: it greets `name` (default
// "World") `times` times (default 1, at most 100) in the output parameter
// `greeting`. Replace greet with your own step.
//
// The host preopens the step's work directory as /work: the invocation is
// in /work/input.json, the result goes to /work/result.json. Every problem
// becomes a Failed result that says what is wrong.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

const (
	inputFile  = "/work/input.json"
	resultFile = "/work/result.json"
)

// Invocation is /work/input.json (the fields this step reads).
type Invocation struct {
	Parameters []Parameter `json:"parameters"`
}

// Parameter is an input parameter: Argo gives its value as a string, but
// any JSON value may come.
type Parameter struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

// Result is /work/result.json.
type Result struct {
	Phase   string  `json:"phase"`
	Message string  `json:"message"`
	Outputs Outputs `json:"outputs"`
}

// Outputs are the step's output artifacts and parameters.
type Outputs struct {
	Artifacts  []Artifact        `json:"artifacts"`
	Parameters []OutputParameter `json:"parameters"`
}

// Artifact is an output artifact, written below /work/artifacts-out/.
type Artifact struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

// OutputParameter is an output parameter.
type OutputParameter struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func main() {
	result := run()
	data, err := json.Marshal(result)
	if err == nil {
		err = os.WriteFile(resultFile, data, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot write %s: %v\n", resultFile, err)
		os.Exit(1)
	}
}

// run reads the invocation and runs the step on it.
func run() Result {
	input, err := os.ReadFile(inputFile)
	if err != nil {
		return failed(fmt.Sprintf("cannot read %s: %v", inputFile, err))
	}
	var invocation Invocation
	if err := json.Unmarshal(input, &invocation); err != nil {
		return failed(fmt.Sprintf("%s is not a valid invocation: %v", inputFile, err))
	}
	greeting, err := greet(invocation.Parameters)
	if err != nil {
		return failed(err.Error())
	}
	return Result{
		Phase:   "Succeeded",
		Message: "greeted",
		Outputs: Outputs{
			Artifacts:  []Artifact{},
			Parameters: []OutputParameter{{Name: "greeting", Value: greeting}},
		},
	}
}

func failed(message string) Result {
	return Result{Phase: "Failed", Message: message, Outputs: Outputs{Artifacts: []Artifact{}, Parameters: []OutputParameter{}}}
}

// greet is the step: "Hello, <name>!" `times` times, separated by one space.
func greet(parameters []Parameter) (string, error) {
	name := "World"
	if raw, ok := find(parameters, "name"); ok {
		if err := json.Unmarshal(raw, &name); err != nil {
			return "", fmt.Errorf("parameter \"name\" must be a string, got %s", raw)
		}
	}
	times := 1
	if raw, ok := find(parameters, "times"); ok {
		if times, ok = timesFrom(raw); !ok {
			return "", fmt.Errorf("parameter \"times\" must be an integer from 1 to 100, got %s", raw)
		}
	}
	hello := "Hello, " + name + "!"
	return strings.TrimSuffix(strings.Repeat(hello+" ", times), " "), nil
}

// find returns the value of the last parameter called name; a null value
// counts as absent.
func find(parameters []Parameter, name string) (json.RawMessage, bool) {
	for i := len(parameters) - 1; i >= 0; i-- {
		if parameters[i].Name == name && parameters[i].Value != nil && string(parameters[i].Value) != "null" {
			return parameters[i].Value, true
		}
	}
	return nil, false
}

// timesFrom reads `times` from Argo's string ("3") or a JSON number (3).
func timesFrom(raw json.RawMessage) (int, bool) {
	var n float64
	var text string
	if json.Unmarshal(raw, &text) == nil {
		if text == "" || len(text) > 3 || strings.Trim(text, "0123456789") != "" {
			return 0, false
		}
		parsed, _ := strconv.Atoi(text)
		n = float64(parsed)
	} else if json.Unmarshal(raw, &n) != nil || n != math.Trunc(n) {
		return 0, false
	}
	return int(n), n >= 1 && n <= 100
}
