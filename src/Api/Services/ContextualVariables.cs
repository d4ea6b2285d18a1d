using Windmill.Jobs.Api.Extensions;

namespace Windmill.Jobs.Api.Services;

/// <summary>
/// <c>variables/list_contextual</c>: the reserved <c>WM_*</c> variables a job gets (spec 6.8), shown with
/// the values a job of the caller would see; job-specific ones hold placeholders.
/// </summary>
public static class ContextualVariables
{
    public sealed record ContextualVariable(string Name, string Value, string Description, bool IsCustom);

    public static IEnumerable<ContextualVariable> ForExample(Authed who, ApiSettings settings)
    {
        const string exampleJob = "017e0ad5-f499-73b6-5488-92a61c5196dd";
        (string Name, string Value, string Description)[] vars =
        [
            ("WM_WORKSPACE", who.Workspace, "Workspace id of the current script"),
            ("WM_TOKEN", "q1A0qcPuO00yxioll7iph76N9CJDqn", "Token ephemeral to the current script with equal permission to the permission of the run (usable as a bearer token)"),
            ("WM_EMAIL", who.Identity.Email, "Email of the user that executed the current script"),
            ("WM_USERNAME", who.Username, "Username of the user that executed the current script"),
            ("WM_BASE_URL", settings.BaseUrl, "base url of this instance"),
            ("WM_JOB_ID", exampleJob, "Job id of the current script"),
            ("WM_JOB_PATH", "u/user/script_path", "Path of the script or flow being run if any"),
            ("WM_FLOW_JOB_ID", "", "Job id of the encapsuling flow if the job is a flow step"),
            ("WM_ROOT_FLOW_JOB_ID", "", "Job id of the root flow if the job is a flow step"),
            ("WM_FLOW_PATH", "", "Path of the encapsuling flow if the job is a flow step"),
            ("WM_FLOW_STEP_ID", "", "Step id of the current flow step"),
            ("WM_SCHEDULE_PATH", "", "Path of the schedule if the job is triggered by a schedule"),
            ("WM_PERMISSIONED_AS", "u/" + who.Username, "Fully Qualified (u/g) owner name of executor of the job"),
            ("WM_STATE_PATH", "u/user/script_path/user", "State resource path unique to a script and its trigger"),
            ("WM_OBJECT_PATH", $"u_user_script_path/manual/0_{exampleJob}", "Script or flow step execution unique path, useful for storing results in an external service"),
            ("WM_SCHEDULED_FOR", "2026-01-01T00:00:00Z", "Time the job was scheduled for"),
            ("BASE_INTERNAL_URL", settings.Services.BaseInternalUrl, "base url the job uses to reach this instance's API"),
        ];
        return vars.Select(v => new ContextualVariable(v.Name, v.Value, v.Description, false));
    }
}
