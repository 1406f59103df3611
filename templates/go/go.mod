module example.com/workflow-step

go 1.23
