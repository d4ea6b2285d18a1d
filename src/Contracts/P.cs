namespace Windmill.Jobs.Contracts; public static class Placeholder {}
