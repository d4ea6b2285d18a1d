using Windmill.Jobs.Core.Sql;

namespace Windmill.Jobs.UnitTests;

/// <summary>The SQL tokenizer that literal scanners (S3 staging, asset detection) rely on.</summary>
public class SqlTokenizerTests
{
    private static List<string> Strings(string sql) =>
        SqlTokenizer.Tokenize(sql).Where(t => t.Kind == SqlTokenKind.String).Select(t => t.Value).ToList();

    [Fact]
    public void String_literals_are_found_with_their_content()
    {
        Assert.Equal(["s3:///in/a.parquet", "it's"], Strings("SELECT * FROM read_parquet('s3:///in/a.parquet') WHERE x = 'it''s'"));
        Assert.Equal(["tab\there"], Strings(@"SELECT E'tab\there'"));
        Assert.Equal(["body with 'quotes'"], Strings("DO $fn$body with 'quotes'$fn$"));
    }

    [Fact]
    public void Text_in_comments_and_identifiers_is_not_a_string()
    {
        var sql = """
            -- read_parquet('s3:///commented.parquet')
            /* outer /* nested 's3:///x' */ still comment */
            SELECT "col 's3:///y'" FROM t WHERE a = $1 AND b = $$real$$;
            """;
        Assert.Equal(["real"], Strings(sql));
        var tokens = SqlTokenizer.Tokenize(sql);
        Assert.Equal(2, tokens.Count(t => t.Kind == SqlTokenKind.Comment));
        Assert.Contains(tokens, t => t.Kind == SqlTokenKind.QuotedIdentifier && t.Value == "col 's3:///y'");
        Assert.Contains(tokens, t => t.IsSymbol('$')); // $1 is a parameter, not a dollar quote
    }

    [Fact]
    public void Tokens_cover_the_text_exactly()
    {
        const string sql = "COPY (SELECT 1) TO 's3://archive/out.parquet' (FORMAT parquet); -- done";
        var tokens = SqlTokenizer.Tokenize(sql);
        Assert.Equal(sql, string.Concat(tokens.Select(t => t.Text)));
        Assert.True(tokens.First(t => t.Kind == SqlTokenKind.Word).IsWord("copy"));
    }

    [Fact]
    public void An_unterminated_string_runs_to_the_end()
    {
        var tokens = SqlTokenizer.Tokenize("SELECT 'open");
        Assert.Equal("open", tokens[^1].Value);
        Assert.Equal(SqlTokenKind.String, tokens[^1].Kind);
    }
}
