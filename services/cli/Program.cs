using Cauchy.Cli;

return await CauchyCli.RunAsync(args, Console.Out, Console.Error);
