package cti

import "testing"

// Statistics queries (docs/protocol/layouts.md, "Miscellaneous"). Each counter of a confirmation carries its own
// position in the table (1, 2, 3 …) so that a field moved by one place changes the bytes; the order is that of
// the guide tables and uccertweb MessageType.scala (docs/protocol/errata.md).
var statisticsLayoutCases = []layoutCase{
	{
		name: "QUERY_AGENT_STATISTICS_REQ v20: a bridge session names the agent",
		v:    V20,
		msg:  &QueryAgentStatisticsReq{InvokeID: 7, PeripheralID: 5000, AgentID: "5001"},
		frame: `
			00000011 00000070    // MessageLength 17, MessageType QUERY_AGENT_STATISTICS_REQ (112)
			00000007             // InvokeID UINT
			00001388             // PeripheralID UINT = 5000
			0005 0005 3530303100 // AgentID[5] STRING "5001"`,
	},
	{
		name: "QUERY_AGENT_STATISTICS_REQ v15: an agent session asks for its own agent (no floating field)",
		v:    V15,
		msg:  &QueryAgentStatisticsReq{InvokeID: 1, PeripheralID: 5000},
		frame: `
			00000008 00000070 // MessageLength 8, MessageType QUERY_AGENT_STATISTICS_REQ (112)
			00000001          // InvokeID UINT
			00001388          // PeripheralID UINT = 5000`,
	},
	{
		name: "QUERY_AGENT_STATISTICS_CONF v15: 84 counters, each set to its position",
		v:    V15,
		msg: &QueryAgentStatisticsConf{InvokeID: 7, PeripheralID: 5000,
			AvailTimeSession: 1, LoggedOnTimeSession: 2, NotReadyTimeSession: 3, ICMAvailableTimeSession: 4, RoutableTimeSession: 5, AgentOutCallsSession: 6, AgentOutCallsTalkTimeSession: 7, AgentOutCallsTimeSession: 8, AgentOutCallsHeldSession: 9, AgentOutCallsHeldTimeSession: 10, HandledCallsSession: 11, HandledCallsTalkTimeSession: 12, HandledCallsAfterCallTimeSession: 13, HandledCallsTimeSession: 14, IncomingCallsHeldSession: 15, IncomingCallsHeldTimeSession: 16, InternalCallsSession: 17, InternalCallsTimeSession: 18, InternalCallsRcvdSession: 19, InternalCallsRcvdTimeSession: 20, InternalCallsHeldSession: 21, InternalCallsHeldTimeSession: 22, AutoOutCallsSession: 23, AutoOutCallsTalkTimeSession: 24, AutoOutCallsTimeSession: 25, AutoOutCallsHeldSession: 26, AutoOutCallsHeldTimeSession: 27, PreviewCallsSession: 28, PreviewCallsTalkTimeSession: 29, PreviewCallsTimeSession: 30, PreviewCallsHeldSession: 31, PreviewCallsHeldTimeSession: 32, ReservationCallsSession: 33, ReservationCallsTalkTimeSession: 34, ReservationCallsTimeSession: 35, ReservationCallsHeldSession: 36, ReservationCallsHeldTimeSession: 37, BargeInCallsSession: 38, InterceptCallsSession: 39, MonitorCallsSession: 40, WhisperCallsSession: 41, EmergencyCallsSession: 42, AvailTimeToday: 43, LoggedOnTimeToday: 44, NotReadyTimeToday: 45, ICMAvailableTimeToday: 46, RoutableTimeToday: 47, AgentOutCallsToday: 48, AgentOutCallsTalkTimeToday: 49, AgentOutCallsTimeToday: 50, AgentOutCallsHeldToday: 51, AgentOutCallsHeldTimeToday: 52, HandledCallsToday: 53, HandledCallsTalkTimeToday: 54, HandledCallsAfterCallTimeToday: 55, HandledCallsTimeToday: 56, IncomingCallsHeldToday: 57, IncomingCallsHeldTimeToday: 58, InternalCallsToday: 59, InternalCallsTimeToday: 60, InternalCallsRcvdToday: 61, InternalCallsRcvdTimeToday: 62, InternalCallsHeldToday: 63, InternalCallsHeldTimeToday: 64, AutoOutCallsToday: 65, AutoOutCallsTalkTimeToday: 66, AutoOutCallsTimeToday: 67, AutoOutCallsHeldToday: 68, AutoOutCallsHeldTimeToday: 69, PreviewCallsToday: 70, PreviewCallsTalkTimeToday: 71, PreviewCallsTimeToday: 72, PreviewCallsHeldToday: 73, PreviewCallsHeldTimeToday: 74, ReservationCallsToday: 75, ReservationCallsTalkTimeToday: 76, ReservationCallsTimeToday: 77, ReservationCallsHeldToday: 78, ReservationCallsHeldTimeToday: 79, BargeInCallsToday: 80, InterceptCallsToday: 81, MonitorCallsToday: 82, WhisperCallsToday: 83, EmergencyCallsToday: 84,
			AgentExtension: "1001", AgentID: "5001"},
		frame: `
			00000166 00000071 // MessageLength 358, MessageType QUERY_AGENT_STATISTICS_CONF (113)
			00000007          // InvokeID UINT
			00001388          // PeripheralID UINT = 5000
			00000001          //  1 AvailTimeSession UINT
			00000002          //  2 LoggedOnTimeSession UINT
			00000003          //  3 NotReadyTimeSession UINT
			00000004          //  4 ICMAvailableTimeSession UINT
			00000005          //  5 RoutableTimeSession UINT
			00000006          //  6 AgentOutCallsSession UINT
			00000007          //  7 AgentOutCallsTalkTimeSession UINT
			00000008          //  8 AgentOutCallsTimeSession UINT
			00000009          //  9 AgentOutCallsHeldSession UINT
			0000000a          // 10 AgentOutCallsHeldTimeSession UINT
			0000000b          // 11 HandledCallsSession UINT
			0000000c          // 12 HandledCallsTalkTimeSession UINT
			0000000d          // 13 HandledCallsAfterCallTimeSession UINT
			0000000e          // 14 HandledCallsTimeSession UINT
			0000000f          // 15 IncomingCallsHeldSession UINT
			00000010          // 16 IncomingCallsHeldTimeSession UINT
			00000011          // 17 InternalCallsSession UINT
			00000012          // 18 InternalCallsTimeSession UINT
			00000013          // 19 InternalCallsRcvdSession UINT
			00000014          // 20 InternalCallsRcvdTimeSession UINT
			00000015          // 21 InternalCallsHeldSession UINT
			00000016          // 22 InternalCallsHeldTimeSession UINT
			00000017          // 23 AutoOutCallsSession UINT
			00000018          // 24 AutoOutCallsTalkTimeSession UINT
			00000019          // 25 AutoOutCallsTimeSession UINT
			0000001a          // 26 AutoOutCallsHeldSession UINT
			0000001b          // 27 AutoOutCallsHeldTimeSession UINT
			0000001c          // 28 PreviewCallsSession UINT
			0000001d          // 29 PreviewCallsTalkTimeSession UINT
			0000001e          // 30 PreviewCallsTimeSession UINT
			0000001f          // 31 PreviewCallsHeldSession UINT
			00000020          // 32 PreviewCallsHeldTimeSession UINT
			00000021          // 33 ReservationCallsSession UINT
			00000022          // 34 ReservationCallsTalkTimeSession UINT
			00000023          // 35 ReservationCallsTimeSession UINT
			00000024          // 36 ReservationCallsHeldSession UINT
			00000025          // 37 ReservationCallsHeldTimeSession UINT
			00000026          // 38 BargeInCallsSession UINT
			00000027          // 39 InterceptCallsSession UINT
			00000028          // 40 MonitorCallsSession UINT
			00000029          // 41 WhisperCallsSession UINT
			0000002a          // 42 EmergencyCallsSession UINT
			0000002b          // 43 AvailTimeToday UINT
			0000002c          // 44 LoggedOnTimeToday UINT
			0000002d          // 45 NotReadyTimeToday UINT
			0000002e          // 46 ICMAvailableTimeToday UINT
			0000002f          // 47 RoutableTimeToday UINT
			00000030          // 48 AgentOutCallsToday UINT
			00000031          // 49 AgentOutCallsTalkTimeToday UINT
			00000032          // 50 AgentOutCallsTimeToday UINT
			00000033          // 51 AgentOutCallsHeldToday UINT
			00000034          // 52 AgentOutCallsHeldTimeToday UINT
			00000035          // 53 HandledCallsToday UINT
			00000036          // 54 HandledCallsTalkTimeToday UINT
			00000037          // 55 HandledCallsAfterCallTimeToday UINT
			00000038          // 56 HandledCallsTimeToday UINT
			00000039          // 57 IncomingCallsHeldToday UINT
			0000003a          // 58 IncomingCallsHeldTimeToday UINT
			0000003b          // 59 InternalCallsToday UINT
			0000003c          // 60 InternalCallsTimeToday UINT
			0000003d          // 61 InternalCallsRcvdToday UINT
			0000003e          // 62 InternalCallsRcvdTimeToday UINT
			0000003f          // 63 InternalCallsHeldToday UINT
			00000040          // 64 InternalCallsHeldTimeToday UINT
			00000041          // 65 AutoOutCallsToday UINT
			00000042          // 66 AutoOutCallsTalkTimeToday UINT
			00000043          // 67 AutoOutCallsTimeToday UINT
			00000044          // 68 AutoOutCallsHeldToday UINT
			00000045          // 69 AutoOutCallsHeldTimeToday UINT
			00000046          // 70 PreviewCallsToday UINT
			00000047          // 71 PreviewCallsTalkTimeToday UINT
			00000048          // 72 PreviewCallsTimeToday UINT
			00000049          // 73 PreviewCallsHeldToday UINT
			0000004a          // 74 PreviewCallsHeldTimeToday UINT
			0000004b          // 75 ReservationCallsToday UINT
			0000004c          // 76 ReservationCallsTalkTimeToday UINT
			0000004d          // 77 ReservationCallsTimeToday UINT
			0000004e          // 78 ReservationCallsHeldToday UINT
			0000004f          // 79 ReservationCallsHeldTimeToday UINT
			00000050          // 80 BargeInCallsToday UINT
			00000051          // 81 InterceptCallsToday UINT
			00000052          // 82 MonitorCallsToday UINT
			00000053          // 83 WhisperCallsToday UINT
			00000054          // 84 EmergencyCallsToday UINT
			04 05 3130303100  // AgentExtension[4] STRING "1001"
			05 05 3530303100  // AgentID[5] STRING "5001"`,
	},
	{
		name: "QUERY_SKILL_GROUP_STATISTICS_REQ v20: by SkillGroupNumber, SkillGroupID NULL_SKILL_GROUP",
		v:    V20,
		msg:  &QuerySkillGroupStatisticsReq{InvokeID: 9, PeripheralID: 5000, SkillGroupNumber: 2, SkillGroupID: 0xFFFFFFFF},
		frame: `
			00000010 00000072 // MessageLength 16, MessageType QUERY_SKILL_GROUP_STATISTICS_REQ (114)
			00000009          // InvokeID UINT
			00001388          // PeripheralID UINT = 5000
			00000002          // SkillGroupNumber UINT = 2
			ffffffff          // SkillGroupID UINT = NULL_SKILL_GROUP`,
	},
	{
		name: "QUERY_SKILL_GROUP_STATISTICS_CONF v20: 145 counters, each set to its position",
		v:    V20,
		msg: &QuerySkillGroupStatisticsConf{InvokeID: 9, PeripheralID: 5000, SkillGroupNumber: 2, SkillGroupID: 0xFFFFFFFF,
			AgentsLoggedOn: 1, AgentsAvail: 2, AgentsNotReady: 3, AgentsReady: 4, AgentsTalkingIn: 5, AgentsTalkingOut: 6, AgentsTalkingOther: 7, AgentsWorkNotReady: 8, AgentsWorkReady: 9, AgentsBusyOther: 10, AgentsReserved: 11, AgentsHold: 12, AgentsICMAvailable: 13, AgentsApplicationAvailable: 14, AgentsTalkingAutoOut: 15, AgentsTalkingPreview: 16, AgentsTalkingReservation: 17, RouterCallsQNow: 18, LongestRouterCallQNow: 19, CallsQNow: 20, CallsQTimeNow: 21, LongestCallQNow: 22, AvailTimeTo5: 23, LoggedOnTimeTo5: 24, NotReadyTimeTo5: 25, AgentOutCallsTo5: 26, AgentOutCallsTalkTimeTo5: 27, AgentOutCallsTimeTo5: 28, AgentOutCallsHeldTo5: 29, AgentOutCallsHeldTimeTo5: 30, HandledCallsTo5: 31, HandledCallsTalkTimeTo5: 32, HandledCallsAfterCallTimeTo5: 33, HandledCallsTimeTo5: 34, IncomingCallsHeldTo5: 35, IncomingCallsHeldTimeTo5: 36, InternalCallsRcvdTo5: 37, InternalCallsRcvdTimeTo5: 38, InternalCallsHeldTo5: 39, InternalCallsHeldTimeTo5: 40, AutoOutCallsTo5: 41, AutoOutCallsTalkTimeTo5: 42, AutoOutCallsTimeTo5: 43, AutoOutCallsHeldTo5: 44, AutoOutCallsHeldTimeTo5: 45, PreviewCallsTo5: 46, PreviewCallsTalkTimeTo5: 47, PreviewCallsTimeTo5: 48, PreviewCallsHeldTo5: 49, PreviewCallsHeldTimeTo5: 50, ReservationCallsTo5: 51, ReservationCallsTalkTimeTo5: 52, ReservationCallsTimeTo5: 53, ReservationCallsHeldTo5: 54, ReservationCallsHeldTimeTo5: 55, BargeInCallsTo5: 56, InterceptCallsTo5: 57, MonitorCallsTo5: 58, WhisperCallsTo5: 59, EmergencyCallsTo5: 60, CallsQ5: 61, CallsQTime5: 62, LongestCallQ5: 63, AvailTimeToHalf: 64, LoggedOnTimeToHalf: 65, NotReadyTimeToHalf: 66, AgentOutCallsToHalf: 67, AgentOutCallsTalkTimeToHalf: 68, AgentOutCallsTimeToHalf: 69, AgentOutCallsHeldToHalf: 70, AgentOutCallsHeldTimeToHalf: 71, HandledCallsToHalf: 72, HandledCallsTalkTimeToHalf: 73, HandledCallsAfterCallTimeToHalf: 74, HandledCallsTimeToHalf: 75, IncomingCallsHeldToHalf: 76, IncomingCallsHeldTimeToHalf: 77, InternalCallsRcvdToHalf: 78, InternalCallsRcvdTimeToHalf: 79, InternalCallsHeldToHalf: 80, InternalCallsHeldTimeToHalf: 81, AutoOutCallsToHalf: 82, AutoOutCallsTalkTimeToHalf: 83, AutoOutCallsTimeToHalf: 84, AutoOutCallsHeldToHalf: 85, AutoOutCallsHeldTimeToHalf: 86, PreviewCallsToHalf: 87, PreviewCallsTalkTimeToHalf: 88, PreviewCallsTimeToHalf: 89, PreviewCallsHeldToHalf: 90, PreviewCallsHeldTimeToHalf: 91, ReservationCallsToHalf: 92, ReservationCallsTalkTimeToHalf: 93, ReservationCallsTimeToHalf: 94, ReservationCallsHeldToHalf: 95, ReservationCallsHeldTimeToHalf: 96, BargeInCallsToHalf: 97, InterceptCallsToHalf: 98, MonitorCallsToHalf: 99, WhisperCallsToHalf: 100, EmergencyCallsToHalf: 101, CallsQHalf: 102, CallsQTimeHalf: 103, LongestCallQHalf: 104, AvailTimeToday: 105, LoggedOnTimeToday: 106, NotReadyTimeToday: 107, AgentOutCallsToday: 108, AgentOutCallsTalkTimeToday: 109, AgentOutCallsTimeToday: 110, AgentOutCallsHeldToday: 111, AgentOutCallsHeldTimeToday: 112, HandledCallsToday: 113, HandledCallsTalkTimeToday: 114, HandledCallsAfterCallTimeToday: 115, HandledCallsTimeToday: 116, IncomingCallsHeldToday: 117, IncomingCallsHeldTimeToday: 118, InternalCallsRcvdToday: 119, InternalCallsRcvdTimeToday: 120, InternalCallsHeldToday: 121, InternalCallsHeldTimeToday: 122, AutoOutCallsToday: 123, AutoOutCallsTalkTimeToday: 124, AutoOutCallsTimeToday: 125, AutoOutCallsHeldToday: 126, AutoOutCallsHeldTimeToday: 127, PreviewCallsToday: 128, PreviewCallsTalkTimeToday: 129, PreviewCallsTimeToday: 130, PreviewCallsHeldToday: 131, PreviewCallsHeldTimeToday: 132, ReservationCallsToday: 133, ReservationCallsTalkTimeToday: 134, ReservationCallsTimeToday: 135, ReservationCallsHeldToday: 136, ReservationCallsHeldTimeToday: 137, BargeInCallsToday: 138, InterceptCallsToday: 139, MonitorCallsToday: 140, WhisperCallsToday: 141, EmergencyCallsToday: 142, CallsQToday: 143, CallsQTimeToday: 144, LongestCallQToday: 145},
		frame: `
			00000254 00000073 // MessageLength 596, MessageType QUERY_SKILL_GROUP_STATISTICS_CONF (115)
			00000009          // InvokeID UINT
			00001388          // PeripheralID UINT = 5000
			00000002          // SkillGroupNumber UINT = 2
			ffffffff          // SkillGroupID UINT = NULL_SKILL_GROUP
			00000001          //   1 AgentsLoggedOn UINT
			00000002          //   2 AgentsAvail UINT
			00000003          //   3 AgentsNotReady UINT
			00000004          //   4 AgentsReady UINT
			00000005          //   5 AgentsTalkingIn UINT
			00000006          //   6 AgentsTalkingOut UINT
			00000007          //   7 AgentsTalkingOther UINT
			00000008          //   8 AgentsWorkNotReady UINT
			00000009          //   9 AgentsWorkReady UINT
			0000000a          //  10 AgentsBusyOther UINT
			0000000b          //  11 AgentsReserved UINT
			0000000c          //  12 AgentsHold UINT
			0000000d          //  13 AgentsICMAvailable UINT
			0000000e          //  14 AgentsApplicationAvailable UINT
			0000000f          //  15 AgentsTalkingAutoOut UINT
			00000010          //  16 AgentsTalkingPreview UINT
			00000011          //  17 AgentsTalkingReservation UINT
			00000012          //  18 RouterCallsQNow UINT
			00000013          //  19 LongestRouterCallQNow UINT
			00000014          //  20 CallsQNow UINT
			00000015          //  21 CallsQTimeNow UINT
			00000016          //  22 LongestCallQNow UINT
			00000017          //  23 AvailTimeTo5 UINT
			00000018          //  24 LoggedOnTimeTo5 UINT
			00000019          //  25 NotReadyTimeTo5 UINT
			0000001a          //  26 AgentOutCallsTo5 UINT
			0000001b          //  27 AgentOutCallsTalkTimeTo5 UINT
			0000001c          //  28 AgentOutCallsTimeTo5 UINT
			0000001d          //  29 AgentOutCallsHeldTo5 UINT
			0000001e          //  30 AgentOutCallsHeldTimeTo5 UINT
			0000001f          //  31 HandledCallsTo5 UINT
			00000020          //  32 HandledCallsTalkTimeTo5 UINT
			00000021          //  33 HandledCallsAfterCallTimeTo5 UINT
			00000022          //  34 HandledCallsTimeTo5 UINT
			00000023          //  35 IncomingCallsHeldTo5 UINT
			00000024          //  36 IncomingCallsHeldTimeTo5 UINT
			00000025          //  37 InternalCallsRcvdTo5 UINT
			00000026          //  38 InternalCallsRcvdTimeTo5 UINT
			00000027          //  39 InternalCallsHeldTo5 UINT
			00000028          //  40 InternalCallsHeldTimeTo5 UINT
			00000029          //  41 AutoOutCallsTo5 UINT
			0000002a          //  42 AutoOutCallsTalkTimeTo5 UINT
			0000002b          //  43 AutoOutCallsTimeTo5 UINT
			0000002c          //  44 AutoOutCallsHeldTo5 UINT
			0000002d          //  45 AutoOutCallsHeldTimeTo5 UINT
			0000002e          //  46 PreviewCallsTo5 UINT
			0000002f          //  47 PreviewCallsTalkTimeTo5 UINT
			00000030          //  48 PreviewCallsTimeTo5 UINT
			00000031          //  49 PreviewCallsHeldTo5 UINT
			00000032          //  50 PreviewCallsHeldTimeTo5 UINT
			00000033          //  51 ReservationCallsTo5 UINT
			00000034          //  52 ReservationCallsTalkTimeTo5 UINT
			00000035          //  53 ReservationCallsTimeTo5 UINT
			00000036          //  54 ReservationCallsHeldTo5 UINT
			00000037          //  55 ReservationCallsHeldTimeTo5 UINT
			00000038          //  56 BargeInCallsTo5 UINT
			00000039          //  57 InterceptCallsTo5 UINT
			0000003a          //  58 MonitorCallsTo5 UINT
			0000003b          //  59 WhisperCallsTo5 UINT
			0000003c          //  60 EmergencyCallsTo5 UINT
			0000003d          //  61 CallsQ5 UINT
			0000003e          //  62 CallsQTime5 UINT
			0000003f          //  63 LongestCallQ5 UINT
			00000040          //  64 AvailTimeToHalf UINT
			00000041          //  65 LoggedOnTimeToHalf UINT
			00000042          //  66 NotReadyTimeToHalf UINT
			00000043          //  67 AgentOutCallsToHalf UINT
			00000044          //  68 AgentOutCallsTalkTimeToHalf UINT
			00000045          //  69 AgentOutCallsTimeToHalf UINT
			00000046          //  70 AgentOutCallsHeldToHalf UINT
			00000047          //  71 AgentOutCallsHeldTimeToHalf UINT
			00000048          //  72 HandledCallsToHalf UINT
			00000049          //  73 HandledCallsTalkTimeToHalf UINT
			0000004a          //  74 HandledCallsAfterCallTimeToHalf UINT
			0000004b          //  75 HandledCallsTimeToHalf UINT
			0000004c          //  76 IncomingCallsHeldToHalf UINT
			0000004d          //  77 IncomingCallsHeldTimeToHalf UINT
			0000004e          //  78 InternalCallsRcvdToHalf UINT
			0000004f          //  79 InternalCallsRcvdTimeToHalf UINT
			00000050          //  80 InternalCallsHeldToHalf UINT
			00000051          //  81 InternalCallsHeldTimeToHalf UINT
			00000052          //  82 AutoOutCallsToHalf UINT
			00000053          //  83 AutoOutCallsTalkTimeToHalf UINT
			00000054          //  84 AutoOutCallsTimeToHalf UINT
			00000055          //  85 AutoOutCallsHeldToHalf UINT
			00000056          //  86 AutoOutCallsHeldTimeToHalf UINT
			00000057          //  87 PreviewCallsToHalf UINT
			00000058          //  88 PreviewCallsTalkTimeToHalf UINT
			00000059          //  89 PreviewCallsTimeToHalf UINT
			0000005a          //  90 PreviewCallsHeldToHalf UINT
			0000005b          //  91 PreviewCallsHeldTimeToHalf UINT
			0000005c          //  92 ReservationCallsToHalf UINT
			0000005d          //  93 ReservationCallsTalkTimeToHalf UINT
			0000005e          //  94 ReservationCallsTimeToHalf UINT
			0000005f          //  95 ReservationCallsHeldToHalf UINT
			00000060          //  96 ReservationCallsHeldTimeToHalf UINT
			00000061          //  97 BargeInCallsToHalf UINT
			00000062          //  98 InterceptCallsToHalf UINT
			00000063          //  99 MonitorCallsToHalf UINT
			00000064          // 100 WhisperCallsToHalf UINT
			00000065          // 101 EmergencyCallsToHalf UINT
			00000066          // 102 CallsQHalf UINT
			00000067          // 103 CallsQTimeHalf UINT
			00000068          // 104 LongestCallQHalf UINT
			00000069          // 105 AvailTimeToday UINT
			0000006a          // 106 LoggedOnTimeToday UINT
			0000006b          // 107 NotReadyTimeToday UINT
			0000006c          // 108 AgentOutCallsToday UINT
			0000006d          // 109 AgentOutCallsTalkTimeToday UINT
			0000006e          // 110 AgentOutCallsTimeToday UINT
			0000006f          // 111 AgentOutCallsHeldToday UINT
			00000070          // 112 AgentOutCallsHeldTimeToday UINT
			00000071          // 113 HandledCallsToday UINT
			00000072          // 114 HandledCallsTalkTimeToday UINT
			00000073          // 115 HandledCallsAfterCallTimeToday UINT
			00000074          // 116 HandledCallsTimeToday UINT
			00000075          // 117 IncomingCallsHeldToday UINT
			00000076          // 118 IncomingCallsHeldTimeToday UINT
			00000077          // 119 InternalCallsRcvdToday UINT
			00000078          // 120 InternalCallsRcvdTimeToday UINT
			00000079          // 121 InternalCallsHeldToday UINT
			0000007a          // 122 InternalCallsHeldTimeToday UINT
			0000007b          // 123 AutoOutCallsToday UINT
			0000007c          // 124 AutoOutCallsTalkTimeToday UINT
			0000007d          // 125 AutoOutCallsTimeToday UINT
			0000007e          // 126 AutoOutCallsHeldToday UINT
			0000007f          // 127 AutoOutCallsHeldTimeToday UINT
			00000080          // 128 PreviewCallsToday UINT
			00000081          // 129 PreviewCallsTalkTimeToday UINT
			00000082          // 130 PreviewCallsTimeToday UINT
			00000083          // 131 PreviewCallsHeldToday UINT
			00000084          // 132 PreviewCallsHeldTimeToday UINT
			00000085          // 133 ReservationCallsToday UINT
			00000086          // 134 ReservationCallsTalkTimeToday UINT
			00000087          // 135 ReservationCallsTimeToday UINT
			00000088          // 136 ReservationCallsHeldToday UINT
			00000089          // 137 ReservationCallsHeldTimeToday UINT
			0000008a          // 138 BargeInCallsToday UINT
			0000008b          // 139 InterceptCallsToday UINT
			0000008c          // 140 MonitorCallsToday UINT
			0000008d          // 141 WhisperCallsToday UINT
			0000008e          // 142 EmergencyCallsToday UINT
			0000008f          // 143 CallsQToday UINT
			00000090          // 144 CallsQTimeToday UINT
			00000091          // 145 LongestCallQToday UINT`,
	},
	{
		name: "QUERY_AGENT_QUEUE_STATISTICS_REQ UCCX v14",
		v:    UCCX | 14,
		msg:  &QueryAgentQueueStatisticsReq{InvokeID: 3, LongAgentID: "5000"},
		frame: `
			0000000b 000000ef // MessageLength 11, MessageType QUERY_AGENT_QUEUE_STATISTICS_REQ (239)
			00000003          // InvokeID UINT
			c2 05 3530303000  // AgentID[194] STRING "5000"`,
	},
	{
		name: "QUERY_AGENT_QUEUE_STATISTICS_CONF UCCX v18: 2-byte floating headers",
		v:    UCCX | 18,
		msg:  &QueryAgentQueueStatisticsConf{InvokeID: 3, CallsInQueue: 2, OldestCallInQueue: 75, LongAgentID: "5000"},
		frame: `
			00000015 000000f0    // MessageLength 21, MessageType QUERY_AGENT_QUEUE_STATISTICS_CONF (240)
			00000003             // InvokeID UINT
			00000002             // CallsInQueue UINT = 2
			0000004b             // OldestCallInQueue UINT = 75 (seconds)
			00c2 0005 3530303000 // AgentID[194] STRING "5000"`,
	},
}

func TestStatisticsLayouts(t *testing.T) { runLayoutCases(t, statisticsLayoutCases) }

// TestCCXOnlyLayoutIsRawInUCCE: 240 is QUERY_AGENT_QUEUE_STATISTICS_CONF on UCCX, but another
// message (CALL_ATTRIBUTE_CHANGE_EVENT) in UCCE v13/v14 and reserved later: a UCCE session keeps
// its body raw instead of reading it with the UCCX layout.
func TestCCXOnlyLayoutIsRawInUCCE(t *testing.T) {
	body := annotatedHex(t, `
		00000001 00000002 // some 8 bytes of a UCCE CALL_ATTRIBUTE_CHANGE_EVENT (layout not captured)`)
	for _, v := range []Version{V14, V24} {
		m, err := Decode(240, body, v)
		if err != nil {
			t.Fatalf("%s: Decode: %v", v, err)
		}
		raw, ok := m.(*RawMessage)
		if !ok || raw.Type != 240 || len(raw.Body) != 8 {
			t.Errorf("%s: Decode(240) = %T %+v; want the raw 8 bytes", v, m, m)
		}
	}
	if m, err := Decode(240, append(body, annotatedHex(t, "00000000 c2 01 00")...), UCCX|14); err != nil {
		t.Errorf("UCCX: Decode: %v", err)
	} else if _, ok := m.(*QueryAgentQueueStatisticsConf); !ok {
		t.Errorf("UCCX: Decode(240) = %T; want *QueryAgentQueueStatisticsConf", m)
	}
}
