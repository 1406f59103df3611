package main

import (
	"encoding/json"
	"testing"
)

func TestGreetsTheWorldOnceByDefault(t *testing.T) {
	greeting, err := greet(nil)
	if err != nil || greeting != "Hello, World!" {
		t.Fatalf("got %q, %v", greeting, err)
	}
}

func TestRepeatsTheGreeting(t *testing.T) {
	greeting, err := greet([]Parameter{
		{Name: "name", Value: json.RawMessage(`"Argo"`)},
		{Name: "times", Value: json.RawMessage(`"3"`)},
	})
	if err != nil || greeting != "Hello, Argo! Hello, Argo! Hello, Argo!" {
		t.Fatalf("got %q, %v", greeting, err)
	}
}

func TestRefusesTimesOutOfRange(t *testing.T) {
	_, err := greet([]Parameter{{Name: "times", Value: json.RawMessage(`"101"`)}})
	if err == nil || err.Error() != `parameter "times" must be an integer from 1 to 100, got "101"` {
		t.Fatalf("got %v", err)
	}
}
