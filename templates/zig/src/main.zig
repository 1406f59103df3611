//! A workflow step: greets `name` (default "World") `times` times (default 1,
//! at most 100) in the output parameter `greeting`. Replace `greet` with
//! your own step.
//!
//! The host preopens the step's work directory as /work: the invocation is
//! in /work/input.json, the result goes to /work/result.json. Every problem
//! becomes a `Failed` result that says what is wrong.

const std = @import("std");
const Allocator = std.mem.Allocator;
const Value = std.json.Value;

/// /work/input.json (the fields this step reads).
const Invocation = struct {
    parameters: []const Parameter,
};

const Parameter = struct {
    name: []const u8,
    value: Value = .null,
};

const Artifact = struct {
    name: []const u8,
    path: []const u8,
};

/// /work/result.json.
const Result = struct {
    phase: []const u8,
    message: []const u8,
    outputs: struct {
        artifacts: []const Artifact = &.{},
        parameters: []const Parameter = &.{},
    } = .{},
};

/// What the step makes of its parameters: the greeting, or why there is none.
const Outcome = union(enum) {
    greeting: []const u8,
    problem: []const u8,
};

pub fn main(init: std.process.Init) !void {
    const arena = init.arena.allocator();
    const work = switch (init.preopens.get("/work") orelse return error.NoWorkDirectory) {
        .dir => |dir| dir,
        .file => return error.NoWorkDirectory,
    };
    const result = try run(arena, init.io, work);
    const json = try std.json.Stringify.valueAlloc(arena, result, .{});
    try work.writeFile(init.io, .{ .sub_path = "result.json", .data = json });
}

/// Reads the invocation and runs the step on it.
fn run(arena: Allocator, io: std.Io, work: std.Io.Dir) Allocator.Error!Result {
    const input = work.readFileAlloc(io, "input.json", arena, .limited(64 << 20)) catch |err|
        return failed(try std.fmt.allocPrint(arena, "cannot read /work/input.json: {t}", .{err}));
    const invocation = std.json.parseFromSliceLeaky(Invocation, arena, input, .{ .ignore_unknown_fields = true }) catch |err|
        return failed(try std.fmt.allocPrint(arena, "/work/input.json is not a valid invocation: {t}", .{err}));
    return switch (try greet(arena, invocation.parameters)) {
        .problem => |problem| failed(problem),
        .greeting => |greeting| .{
            .phase = "Succeeded",
            .message = "greeted",
            .outputs = .{ .parameters = try arena.dupe(Parameter, &.{
                .{ .name = "greeting", .value = .{ .string = greeting } },
            }) },
        },
    };
}

fn failed(message: []const u8) Result {
    return .{ .phase = "Failed", .message = message };
}

/// The step: "Hello, <name>!" `times` times, separated by one space.
fn greet(arena: Allocator, parameters: []const Parameter) Allocator.Error!Outcome {
    const name = switch (find(parameters, "name") orelse Value{ .string = "World" }) {
        .string => |name| name,
        else => |other| return .{ .problem = try std.fmt.allocPrint(arena, "parameter \"name\" must be a string, got {f}", .{std.json.fmt(other, .{})}) },
    };
    const times_value = find(parameters, "times") orelse Value{ .integer = 1 };
    const times = timesFrom(times_value) orelse
        return .{ .problem = try std.fmt.allocPrint(arena, "parameter \"times\" must be an integer from 1 to 100, got {f}", .{std.json.fmt(times_value, .{})}) };

    var greeting: std.ArrayList(u8) = .empty;
    for (0..times) |i| {
        if (i > 0) try greeting.append(arena, ' ');
        try greeting.print(arena, "Hello, {s}!", .{name});
    }
    return .{ .greeting = greeting.items };
}

/// The value of the last parameter called `name`; a null value counts as absent.
fn find(parameters: []const Parameter, name: []const u8) ?Value {
    var i = parameters.len;
    while (i > 0) {
        i -= 1;
        if (std.mem.eql(u8, parameters[i].name, name) and parameters[i].value != .null) return parameters[i].value;
    }
    return null;
}

/// `times` from Argo's string ("3") or a JSON number (3): 1 to 100, or null.
fn timesFrom(value: Value) ?u8 {
    const n: i64 = switch (value) {
        .integer => |n| n,
        .float => |f| if (f >= 1 and f <= 100 and @trunc(f) == f) @intFromFloat(f) else return null,
        .string => |s| digits: {
            if (s.len == 0 or s.len > 3) return null;
            for (s) |c| if (!std.ascii.isDigit(c)) return null;
            break :digits std.fmt.parseInt(i64, s, 10) catch return null;
        },
        else => return null,
    };
    return if (n >= 1 and n <= 100) @intCast(n) else null;
}

test "greets the world once by default" {
    var arena: std.heap.ArenaAllocator = .init(std.testing.allocator);
    defer arena.deinit();
    const outcome = try greet(arena.allocator(), &.{});
    try std.testing.expectEqualStrings("Hello, World!", outcome.greeting);
}

test "repeats the greeting" {
    var arena: std.heap.ArenaAllocator = .init(std.testing.allocator);
    defer arena.deinit();
    const outcome = try greet(arena.allocator(), &.{
        .{ .name = "name", .value = .{ .string = "Argo" } },
        .{ .name = "times", .value = .{ .string = "3" } },
    });
    try std.testing.expectEqualStrings("Hello, Argo! Hello, Argo! Hello, Argo!", outcome.greeting);
}

test "refuses a times out of range" {
    var arena: std.heap.ArenaAllocator = .init(std.testing.allocator);
    defer arena.deinit();
    const outcome = try greet(arena.allocator(), &.{.{ .name = "times", .value = .{ .string = "101" } }});
    try std.testing.expectEqualStrings("parameter \"times\" must be an integer from 1 to 100, got \"101\"", outcome.problem);
}
