namespace Windmill.Jobs.Core; public static class Placeholder {}
