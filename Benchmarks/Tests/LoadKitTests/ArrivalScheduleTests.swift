import LoadKit
import Testing

@Suite("ArrivalSchedule")
struct ArrivalScheduleTests {
    @Test("arrivals are due every 1/rate from the start, none at or after the end")
    func dueTimes() {
        let schedule = ArrivalSchedule(rate: 1_000, start: 1_000_000, end: 1_000_000 + 10_000_000)
        #expect(schedule.total == 10)
        #expect(schedule.dueTime(of: 0) == 1_000_000)
        #expect(schedule.dueTime(of: 3) == 4_000_000)
        #expect(schedule.arrived(by: 999_999) == 0)
        #expect(schedule.arrived(by: 1_000_000) == 1)
        #expect(schedule.arrived(by: 3_999_999) == 3)
        #expect(schedule.arrived(by: 100_000_000) == 10)
    }

    @Test("due arrivals are handed out in order and the rest form the backlog")
    func backlog() {
        var schedule = ArrivalSchedule(rate: 1_000, start: 0, end: 10_000_000)
        let now: UInt64 = 2_500_000  // arrivals 0, 1, 2 are due
        #expect(schedule.backlog(at: now) == 3)
        let first = schedule.next(at: now)
        #expect(first?.index == 0)
        #expect(first?.due == 0)
        #expect(schedule.next(at: now)?.index == 1)
        #expect(schedule.backlog(at: now) == 1)
        #expect(schedule.next(at: now)?.due == 2_000_000)
        #expect(schedule.next(at: now) == nil)
        #expect(schedule.nextWakeUp(after: now) == 3_000_000)
        #expect(schedule.undispatched == 7)
    }

    @Test("the schedule has no wake-up after its last arrival")
    func ends() {
        var schedule = ArrivalSchedule(rate: 100, start: 0, end: 50_000_000)
        while schedule.next(at: .max) != nil {}
        #expect(schedule.dispatched == 5)
        #expect(schedule.undispatched == 0)
        #expect(schedule.nextWakeUp(after: 49_000_000) == nil)
    }

    @Test("fractional intervals keep the average rate exact")
    func fractionalRate() {
        let schedule = ArrivalSchedule(rate: 3_000, start: 0, end: 1_000_000_000)
        #expect(schedule.total == 3_000)
        #expect(schedule.arrived(by: 999_999_999) == 3_000)
    }
}
