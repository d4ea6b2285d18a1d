namespace Windmill.Jobs.Store; public static class Placeholder {}
