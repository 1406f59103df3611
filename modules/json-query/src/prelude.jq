# json-query's definitions, loaded after jaq-core's and jaq-std's: they
# give jq 1.8's behaviour where jaq's differs, and add what jaq lacks.
# Names starting with `_` are helpers (natives in src/natives.rs, or jaq's
# natives under another name), not shown by `builtins`.

# Paths
def getpath($p): ($p | _check_path) as $q | reduce $q[] as $k (.; .[$k]);
def setpath($p; $v): _setpath($p; $v);
def _assign(paths; $value): reduce path(paths) as $p (.; setpath($p; $value));
def delpaths($ps): _delpaths($ps);
def del(f): delpaths([path(f)]);
def paths: path(..) | select(length > 0);
def paths(node_filter): path(.. | select(node_filter)) | select(length > 0);
def leaf_paths: paths(scalars);
def pick(f): . as $in | reduce path(f) as $p (null; setpath($p; $in | getpath($p)));
def to_entries: [keys_unsorted[] as $k | {key: $k, value: .[$k]}];
def from_entries:
  reduce .[] as $e ({};
    . + {($e | .key // .Key // .name // .Name): ($e | if has("value") then .value else .Value end)});
def with_entries(f): to_entries | map(f) | from_entries;
def walk(f): def w: if type == "object" then map_values(w) elif type == "array" then map(w) end | f; w;

# Numbers
def nan: _nan;
def infinite: _infinite;
def isnan: _isnan;
def isinfinite: _isinfinite;
def isnormal: _isnormal;
def isfinite: type == "number" and (isinfinite | not);
def finites: select(isfinite);
def normals: select(isnormal);
def logb: if isnan then . elif isinfinite then infinite elif . == 0 then -infinite else ilogb end;
def significand: if isnan or isinfinite or . == 0 then . else scalbln(.; 0 - ilogb) end;

# Types and conversion
def type: _type;
def tostring: _tostring;
def keys: _keys;
def toarray: if type == "array" then . else [.] end;
def @json: tojson;

# Arrays
def sort_by(f): _sort_by_impl(map([f]));
def group_by(f): _group_by_impl(map([f]));
def unique_by(f): _unique_by_impl(map([f]));
def unique: _unique_by_impl(map([.]));
def min_by(f): _min_by_impl(map([f]));
def max_by(f): _max_by_impl(map([f]));
def min: _min_by_impl(map([.]));
def max: _max_by_impl(map([.]));
def flatten: _flatten(1e9);
def flatten($depth): _flatten($depth);
def join($sep): _join($sep);
def transpose: (map(length) | max // 0) as $n | [range($n) as $i | map(.[$i])];
def indices($i):
  if type == "string" and ($i | type) == "string" then _strindices($i)
  elif type == "array" then .[if ($i | type) == "array" then $i else [$i] end]
  else .[$i] end;
def index($i): indices($i) | .[0];
def rindex($i): indices($i) | .[-1:][0];
def in(xs): . as $x | xs | has($x);
def inside(xs): . as $x | xs | contains($x);

# Generators: recursive ones check the stack (src/stack.rs), so an endless
# recursion fails with a message instead of trapping the module.
def repeat(f): def rec: if _stack_guard then (f, rec) else empty end; rec;
def recurse(f): def rec: if _stack_guard then (., (f | rec)) else empty end; rec;
def recurse: recurse(.[]?);
def recurse(f; cond): recurse(f | select(cond));
def while(cond; update):
  def rec: if _stack_guard and cond then (., (update | rec)) else empty end; rec;
def until(cond; update):
  def rec: if _stack_guard then (if cond then . else (update | rec) end) else empty end; rec;
def limit($n; f):
  if $n > 0 then _limit($n; f) elif $n == 0 then empty
  else error("limit doesn't support negative count") end;
def skip($n; f):
  if $n > 0 then _skip($n; f) elif $n == 0 then f
  else error("skip doesn't support negative count") end;
def nth($n): .[$n];
def nth($n; f): if $n < 0 then error("nth doesn't support negative indices") else first(skip($n; f)) end;

# Inputs: jq fails when none is left.
def input: [_limit(1; inputs)] as $next | if $next == [] then error("No more inputs") else $next[0] end;

# Strings
def split($sep): _split($sep);
def trimstr($s): ltrimstr($s) | rtrimstr($s);

# Streams of [path, leaf] events
def tostream:
  def events($p):
    if (type == "array" or type == "object") and length > 0 then
      . as $v | [keys_unsorted[]] as $ks
      | ($ks[] as $k | $v[$k] | events($p + [$k])), [$p + [$ks[-1]]]
    else [$p, .] end;
  events([]);
def fromstream(events):
  foreach events as $ev ([null, false];
    (if .[1] then [null, false] else . end) as [$acc, $done]
    | ($ev[0]) as $path
    | if ($ev | length) == 2 then [($acc | setpath($path; $ev[1])), ($path | length) == 0]
      else [$acc, ($path | length) == 1] end;
    if .[1] then .[0] else empty end);
def truncate_stream(events): . as $depth | null | events | select(.[0] | length > $depth) | .[0] |= .[$depth:];

# SQL-style operators
def INDEX(rows; key): reduce rows as $row ({}; . + {($row | key | tostring): $row});
def INDEX(key): INDEX(.[]; key);
def JOIN($idx; key): map([., $idx[key]]);
def JOIN($idx; rows; key): rows | [., $idx[key]];
def JOIN($idx; rows; key; join): rows | [., $idx[key]] | join;
def IN(s): . as $x | any(s; . == $x);
def IN(src; s): any(src as $x | s | select(. == $x); true);

# Dates: jq takes broken-down times shorter than eight numbers.
def _broken_down($name):
  if type != "array" then error("\($name) requires array inputs")
  elif any(.[]; type != "number") then error("\($name) requires parsed datetime inputs")
  else (. + [0, 0, 0, 0, 0, 0, 0, 0])[:8] end;
def mktime: _broken_down("mktime") | _mktime;
def strftime($f):
  if ($f | type) != "string" then error("strftime/1 requires a string format")
  elif type == "number" then _strftime($f)
  elif type != "array" or any(.[]; type != "number") then error("strftime/1 requires parsed datetime inputs")
  else _broken_down("strftime/1") | _strftime($f) end;
def strflocaltime($f):
  if ($f | type) != "string" then error("strflocaltime/1 requires a string format")
  elif type == "number" then _strflocaltime($f)
  elif type != "array" or any(.[]; type != "number") then error("strflocaltime/1 requires parsed datetime inputs")
  else _broken_down("strflocaltime/1") | _strflocaltime($f) end;
def todateiso8601: strftime("%Y-%m-%dT%H:%M:%SZ");
def todate: todateiso8601;
def dateadd(u; n): . + n;
def datesub(u; n): . - n;
def date: todate;

# Math: jq truncates the integer arguments.
def _int: if . < 0 then ceil else floor end;
def ldexp($a; $b): _ldexp($a; $b | _int);
def scalbln($a; $b): _scalbln($a; $b | _int);
def jn($n; $x): _jn($n | _int; $x);
def yn($n; $x): _yn($n | _int; $x);

# Decoders (src/decode.rs)
def @urid: tostring | _urid;
def @base64d: tostring | _base64d;

# Formats by name
def format($f):
  if $f == "text" then @text elif $f == "json" then @json elif $f == "html" then @html
  elif $f == "uri" then @uri elif $f == "urid" then @urid elif $f == "csv" then @csv
  elif $f == "tsv" then @tsv elif $f == "sh" then @sh elif $f == "base64" then @base64
  elif $f == "base64d" then @base64d elif $f == "base32" then @base32
  elif $f == "base32d" then @base32d
  else error("\($f) is not a valid format") end;

# Regular expressions (src/regex.rs): a regex may be given as [regex, flags].
def _regex_args:
  if type == "string" then [., null]
  elif type == "array" and length > 1 then .[:2]
  elif type == "array" and length > 0 then [.[0], null]
  else error("\(type) (\(tojson)) cannot be matched, as it is not a string") end;
def match($re; $flags): _regex($re; $flags; false)[];
def match($re): ($re | _regex_args) as [$r, $f] | match($r; $f);
def test($re; $flags): _regex($re; $flags; true);
def test($re): ($re | _regex_args) as [$r, $f] | test($r; $f);
def _capture_object: [.captures[] | select(.name != null) | {key: .name, value: .string}] | from_entries;
def capture($re; $flags): match($re; $flags) | _capture_object;
def capture($re): ($re | _regex_args) as [$r, $f] | capture($r; $f);
def scan($re; $flags):
  match($re; "g" + $flags) | if (.captures | length) > 0 then [.captures[].string] else .string end;
def scan($re): scan($re; null);
def split($re; $flags):
  . as $s
  | [foreach (match($re; "g" + $flags), null) as $m ({at: 0};
      if $m == null then .part = $s[.at:] else .part = $s[.at:$m.offset] | .at = $m.offset + $m.length end;
      .part)];
def splits($re; $flags): split($re; $flags)[];
def splits($re): splits($re; null);
# Each output of the replacement makes its own result: the k-th output
# for every match goes into the k-th result.
def sub($re; str; $flags):
  . as $in
  | (reduce match($re; $flags) as $m ({results: [], at: 0};
      $in[.at:$m.offset] as $gap
      | [$m | _capture_object | str] as $new
      | reduce range($new | length) as $k (.; .results[$k] += $gap + $new[$k])
      | .at = $m.offset + $m.length)
    | .results[] + $in[.at:]) // $in;
def sub($re; str): sub($re; str; "");
def gsub($re; str; $flags): sub($re; str; $flags + "g");
def gsub($re; str): sub($re; str; "g");

# Arithmetic and comparisons whose operands may both give several values
# (src/syntax/operand_order.rs): the right operand first, as in jq.
def _binop_add(l; r): r as $r | l + $r;
def _binop_sub(l; r): r as $r | l - $r;
def _binop_mul(l; r): r as $r | l * $r;
def _binop_div(l; r): r as $r | l / $r;
def _binop_mod(l; r): r as $r | l % $r;
def _binop_eq(l; r): r as $r | l == $r;
def _binop_ne(l; r): r as $r | l != $r;
def _binop_lt(l; r): r as $r | l < $r;
def _binop_le(l; r): r as $r | l <= $r;
def _binop_gt(l; r): r as $r | l > $r;
def _binop_ge(l; r): r as $r | l >= $r;
