using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.History;
using ValkeyDashboard.Cluster.Storage;
using ValkeyDashboard.Model.History;

namespace ValkeyDashboard;

/// <summary>The slot history: its settings, store, recorder and the queries the page and the API share.</summary>
public static class SlotHistoryExtensions
{
    public static IServiceCollection AddSlotHistory(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SlotHistoryOptions>()
            .Bind(configuration.GetSection(SlotHistoryOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.TierProblem() is null, "Dashboard:History:Tiers must go from the finest to the coarsest, each Interval at least 100 ms, each Retention at least its Interval and each LoadBits between 1 and 8.")
            .ValidateOnStart();
        services.AddSingleton(sp => new SlotHistoryStore(sp.GetRequiredService<DashboardDatabase>(), sp.GetRequiredService<IOptions<SlotHistoryOptions>>().Value.KeyframeEvery));
        services.AddSingleton<SlotHistory>();
        services.AddHostedService<SlotHistoryRecorder>();
        return services;
    }
}
