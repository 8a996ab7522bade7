/** Alert rules used when HOOKSCRIBE_ASSIST_RULES is not set. Same shape as a rules file. */
import type { AlertRuleConfig } from './alert-rules.js';

export const DEFAULT_ALERT_RULES: AlertRuleConfig[] = [
  {
    id: 'retention',
    role: 'customer',
    severity: 'warning',
    message: 'Customer wants to cancel — consider a retention offer.',
    phrases: [
      'cancel my account',
      'cancel my subscription',
      'cancel my contract',
      'cancel my membership',
      'close my account',
      'end my contract',
      'want to cancel',
      'like to cancel',
      'going to cancel',
      'switch provider',
      'switching provider',
    ],
  },
  {
    id: 'escalation',
    role: 'customer',
    severity: 'critical',
    message: 'Customer asks for a manager or supervisor.',
    phrases: ['speak to a manager', 'speak to your manager', 'speak to a supervisor', 'talk to a manager', 'talk to a supervisor', 'make a complaint', 'formal complaint'],
    regex: ['\\b(?:get|put) me (?:through to |on to )?(?:a|your) (?:manager|supervisor)\\b'],
  },
  {
    id: 'abuse',
    role: 'customer',
    severity: 'critical',
    message: 'Abusive language — follow the abusive caller policy.',
    keywords: ['fuck', 'fucking', 'fucked', 'shit', 'bullshit', 'bastard', 'bastards', 'asshole', 'arsehole', 'bitch', 'idiot', 'idiots', 'moron', 'wanker', 'crap'],
  },
  {
    id: 'legal-threat',
    role: 'customer',
    severity: 'critical',
    message: 'Customer mentions legal action or a regulator.',
    phrases: ['my lawyer', 'my solicitor', 'take legal action', 'legal action', 'sue you', 'ombudsman', 'trading standards'],
  },
  {
    id: 'vulnerability',
    role: 'customer',
    severity: 'warning',
    message: 'Possible vulnerable customer — check the vulnerability guidance.',
    phrases: ["can't afford", 'cannot afford', 'lost my job', 'bereavement', 'passed away', 'in hospital', 'struggling to pay'],
  },
  {
    id: 'recording-disclosure',
    type: 'missing',
    role: 'agent',
    severity: 'info',
    withinSeconds: 60,
    message: 'Agent has not told the customer the call is recorded.',
    phrases: ['call may be recorded', 'call is being recorded', 'call is recorded', 'calls are recorded', 'recorded for quality', 'recorded for training'],
  },
];
