using Windmill.Jobs.Core.Scripts;

namespace Windmill.Jobs.UnitTests;

public class SignatureParserTests
{
    [Fact]
    public void Python_main_with_hints_and_defaults()
    {
        var sig = PythonSignatureParser.Parse("""
            import wmill

            def helper(x):
                return x

            def main(name: str, count: int = 3, ratio: float = 0.5, flags: list[str] = ["a", "b"],
                     cfg: dict = {"k": (1, 2)}, db: postgresql = None, on: bool = True, note="hi, there"):
                return name
            """);
        Assert.Equal(["name", "count", "ratio", "flags", "cfg", "db", "on", "note"], sig.Parameters.Select(p => p.Name));
        var schema = sig.ToSchema();
        Assert.Equal("string", schema["properties"]!["name"]!["type"]!.GetValue<string>());
        Assert.Equal("integer", schema["properties"]!["count"]!["type"]!.GetValue<string>());
        Assert.Equal(3, schema["properties"]!["count"]!["default"]!.GetValue<int>());
        Assert.Equal("number", schema["properties"]!["ratio"]!["type"]!.GetValue<string>());
        Assert.Equal("""["a","b"]""", schema["properties"]!["flags"]!["default"]!.ToJsonString());
        Assert.Equal("string", schema["properties"]!["flags"]!["items"]!["type"]!.GetValue<string>());
        Assert.Equal("""{"k":[1,2]}""", schema["properties"]!["cfg"]!["default"]!.ToJsonString());
        Assert.Equal("resource-postgresql", schema["properties"]!["db"]!["format"]!.GetValue<string>());
        Assert.True(schema["properties"]!["on"]!["default"]!.GetValue<bool>());
        Assert.Equal("hi, there", schema["properties"]!["note"]!["default"]!.GetValue<string>());
        Assert.Equal("""["name"]""", schema["required"]!.ToJsonString());
    }

    [Fact]
    public void Python_without_main_has_no_arguments() => Assert.Empty(PythonSignatureParser.Parse("print(1)").Parameters);

    [Fact]
    public void Bash_positional_assignments()
    {
        var sig = BashSignatureParser.Parse("""
            msg="$1"
            greeting="${2:-hello world}"
            count=$3
            echo "$greeting $msg"
            """);
        Assert.Equal(["msg", "greeting", "count"], sig.Parameters.Select(p => p.Name));
        Assert.Equal("hello world", sig.Parameters[1].Default!.GetValue<string>());
        Assert.False(sig.Parameters[0].HasDefault);
        Assert.Equal(2, sig.Parameters[2].Position);
    }

    [Fact]
    public void Postgres_positional_comments_and_database_argument()
    {
        var sig = SqlSignatureParser.ParsePostgres("""
            -- $1 name
            -- $2 age (int) = 30
            SELECT $1::text AS name, $2::int AS age;
            """);
        Assert.Equal(["database", "name", "age"], sig.Parameters.Select(p => p.Name));
        Assert.Equal("resource-postgresql", sig.Parameters[0].Schema["format"]!.GetValue<string>());
        Assert.Equal("integer", sig.Parameters[2].Schema["type"]!.GetValue<string>());
        Assert.Equal(30, sig.Parameters[2].Default!.GetValue<int>());
        Assert.Equal("int", SqlSignatureParser.SqlTypeOf(sig.Parameters[2]));
    }

    [Fact]
    public void DuckDb_named_comments()
    {
        var sig = SqlSignatureParser.ParseDuckDb("""
            -- $file1 (s3object)
            -- $limit (bigint) = 10
            -- $name (text) = 'bob'
            SELECT * FROM read_parquet($file1) LIMIT $limit;
            """);
        Assert.Equal(["file1", "limit", "name"], sig.Parameters.Select(p => p.Name));
        Assert.Equal("resource-s3_object", sig.Parameters[0].Schema["format"]!.GetValue<string>());
        Assert.Equal(10, sig.Parameters[1].Default!.GetValue<int>());
        Assert.Equal("bob", sig.Parameters[2].Default!.GetValue<string>());
    }

    [Fact]
    public void TypeScript_main()
    {
        var sig = TypeScriptSignatureParser.Parse("""
            import * as wmill from "windmill-client"
            export async function main(a: number, b: string = "x", c?: boolean, db: RT.Postgresql, list: string[] = []) {
              return a
            }
            """);
        Assert.Equal(["a", "b", "c", "db", "list"], sig.Parameters.Select(p => p.Name));
        var schema = sig.ToSchema();
        Assert.Equal("number", schema["properties"]!["a"]!["type"]!.GetValue<string>());
        Assert.Equal("x", schema["properties"]!["b"]!["default"]!.GetValue<string>());
        Assert.Equal("resource-postgresql", schema["properties"]!["db"]!["format"]!.GetValue<string>());
        Assert.Equal("""["a","db"]""", schema["required"]!.ToJsonString());
    }

    [Fact]
    public void Hashes_are_16_hex_characters_and_parse_back()
    {
        var h = ScriptHash.Compute("w", "u/a/s", "code", "bash", null, Guid.NewGuid());
        var hex = ScriptHash.ToHex(h);
        Assert.Matches("^[0-9a-f]{16}$", hex);
        Assert.True(ScriptHash.TryParse(hex, out var back));
        Assert.Equal(h, back);
        Assert.False(ScriptHash.TryParse("zz", out _));
    }
}
