using Windmill.Jobs.Core.Scripts;

namespace Windmill.Jobs.UnitTests;

public class SqlStatementsTests
{
    [Fact]
    public void Splits_on_top_level_semicolons_and_renumbers_parameters()
    {
        var s = SqlStatements.Split("INSERT INTO t VALUES ($2, $1);\nSELECT * FROM t WHERE a = $2;");
        Assert.Equal(2, s.Count);
        Assert.Equal("INSERT INTO t VALUES ($1, $2)", s[0].Text);
        Assert.Equal([2, 1], s[0].Parameters);
        Assert.Equal("SELECT * FROM t WHERE a = $1", s[1].Text);
        Assert.Equal([2], s[1].Parameters);
    }

    [Fact]
    public void Quotes_comments_and_dollar_quotes_are_not_split_or_renumbered()
    {
        var sql = """
            -- $1 name; a comment with ; and $3
            SELECT 'a;b $1' AS s, "we;ird" FROM x /* ; $2 */ WHERE n = $1;
            CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
            SELECT $body$ ; $1 $body$;
            """;
        var s = SqlStatements.Split(sql);
        Assert.Equal(3, s.Count);
        Assert.Contains("'a;b $1'", s[0].Text);
        Assert.EndsWith("WHERE n = $1", s[0].Text);
        Assert.Equal([1], s[0].Parameters);
        Assert.Contains("$$ SELECT 1; $$", s[1].Text);
        Assert.Empty(s[2].Parameters);
    }

    [Fact]
    public void Comment_only_or_empty_scripts_have_no_statements() =>
        Assert.Empty(SqlStatements.Split("-- nothing here\n  ;  ;"));

    [Fact]
    public void Doubled_quotes_stay_inside_the_string() =>
        Assert.Single(SqlStatements.Split("SELECT 'it''s; fine'"));
}
