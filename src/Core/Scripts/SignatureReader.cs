namespace Windmill.Jobs.Core.Scripts;

/// <summary>Reads a script's arguments from its code, by language.</summary>
public static class SignatureReader
{
    public static ScriptSignature Read(string language, string code) => language switch
    {
        ScriptLanguage.Python3 => PythonSignatureParser.Parse(code),
        ScriptLanguage.Bash => BashSignatureParser.Parse(code),
        ScriptLanguage.Postgresql => SqlSignatureParser.ParsePostgres(code),
        ScriptLanguage.DuckDb => SqlSignatureParser.ParseDuckDb(code),
        ScriptLanguage.Bun => TypeScriptSignatureParser.Parse(code),
        _ => ScriptSignature.Empty,
    };
}
